{#- One row per customer: the feature table every mart and model downstream reads (demographics,
    purchase summary, shares, recency, tenure, campaign history). -#}

with

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

order_summary as (
    select * from {{ ref('int_customer_orders_aggregated') }}
),

campaign_summary as (
    select * from {{ ref('int_customer_campaigns_aggregated') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

joined as (
    select
        customers.*,
        reference_date.as_of_date,
        coalesce(order_summary.orders_count, 0) as orders_count,
        coalesce(order_summary.purchase_days, 0) as purchase_days,
        coalesce(order_summary.returns_count, 0) as returns_count,
        coalesce(order_summary.gross_revenue, 0) as gross_revenue,
        coalesce(order_summary.returned_amount, 0) as returned_amount,
        coalesce(order_summary.net_revenue, 0) as net_revenue,
        {% for category in product_categories() -%}
            coalesce(order_summary.spend_{{ category }}, 0) as spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            coalesce(order_summary.purchases_{{ channel }}, 0) as purchases_{{ channel }},
        {% endfor -%}
        coalesce(order_summary.deal_purchases, 0) as deal_purchases,
        coalesce(order_summary.deal_revenue, 0) as deal_revenue,
        coalesce(campaign_summary.campaigns_contacted, 0) as campaigns_contacted,
        coalesce(campaign_summary.campaigns_accepted, 0) as campaigns_accepted,
        order_summary.web_visits_per_month,
        coalesce(order_summary.is_deal_purchases_capped, false) as is_deal_purchases_capped,
        order_summary.first_order_date,
        order_summary.last_order_date
    from customers
    cross join reference_date
    left join order_summary
        on customers.customer_id = order_summary.customer_id
    left join campaign_summary
        on customers.customer_id = campaign_summary.customer_id
),

derived as (
    select
        *,
        {{ day_diff('last_order_date', 'as_of_date') }} as recency_days,
        {{ day_diff('coalesce(signup_date, first_order_date)', 'as_of_date') }} as tenure_days,
        {{ safe_divide('gross_revenue', 'orders_count') }} as avg_order_value,
        {{ customer_mix() }}
        orders_count > 0 as has_purchased
    from joined
)

select * from derived
