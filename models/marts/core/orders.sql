{#- One row per usable order line (returns included as negative lines). -#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

final as (
    select
        order_id,
        customer_id,
        category,
        channel,
        amount,
        quantity,
        is_deal,
        is_return,
        is_order_date_in_future,
        order_date,
        date_trunc('month', order_date)::date as order_month
    from orders
)

select * from final
