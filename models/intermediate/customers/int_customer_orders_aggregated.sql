{#- One row per customer with at least one order line: the purchase summary (counts, revenue net
    of returns, spend by category, purchases by channel, deals). -#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

aggregated as (
    select
        customer_id,
        count(distinct order_id) filter (where not is_return) as orders_count,
        count(distinct order_date) filter (where not is_return) as purchase_days,
        count(*) filter (where is_return) as returns_count,
        sum(amount) filter (where not is_return) as gross_revenue,
        coalesce(-sum(amount) filter (where is_return), 0) as returned_amount,
        sum(amount) as net_revenue,
        {% for category in product_categories() -%}
            coalesce(sum(amount) filter (where category = '{{ category }}'), 0) as spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            count(distinct order_id) filter (
                where channel = '{{ channel }}' and not is_return
            ) as purchases_{{ channel }},
        {% endfor -%}
        count(distinct order_id) filter (where is_deal and not is_return) as deal_purchases,
        coalesce(sum(amount) filter (where is_deal), 0) as deal_revenue,
        min(order_date) filter (where not is_return) as first_order_date,
        max(order_date) filter (where not is_return) as last_order_date
    from orders
    group by customer_id
)

select * from aggregated
