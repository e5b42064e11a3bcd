{#- One row per customer and purchase day: the purchase occasion of the CLV models. All counted
    lines of a customer on one day are one purchase; a day whose net value is not positive
    (refunds) is no purchase. Numbered per customer, so purchase_number > 1 is a repeat purchase. -#}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

purchase_days as (
    select
        customer_id,
        order_date,
        {{ money_sum('amount') }} as purchase_value
    from orders
    group by customer_id, order_date
    having {{ money_sum('amount') }} > 0
),

numbered as (
    select
        customer_id,
        order_date,
        purchase_value,
        min(order_date) over (partition by customer_id) as first_purchase_date,
        row_number() over (partition by customer_id order by order_date) as purchase_number
    from purchase_days
)

select * from numbered
