{#- One row per customer with at least one purchase: historical value and a heuristic 12-month
    CLV (purchase rate x average order value x margin, discounted monthly). -#}

with

customer_features as (
    select * from {{ ref('int_customer_features') }}
),

purchasers as (
    select
        customer_id,
        first_order_date,
        last_order_date,
        as_of_date,
        orders_count,
        net_revenue as historical_revenue,
        avg_order_value,
        datediff('day', first_order_date, as_of_date) as tenure_days
    from customer_features
    where has_purchased
),

rates as (
    select
        *,
        orders_count * 365.25
        / greatest(tenure_days, {{ var('clv_min_observation_days') }}) as purchase_rate_per_year
    from purchasers
),

final as (
    select
        customer_id,
        orders_count,
        tenure_days,
        historical_revenue,
        avg_order_value,
        purchase_rate_per_year,
        -- Expected monthly gross profit, valued over the next 12 months at the monthly rate.
        {{ var('clv_margin') }} * purchase_rate_per_year / 12.0 * avg_order_value
        * {{ discount_annuity_factor(var('clv_monthly_discount_rate'), 12) }} as heuristic_clv_12m,
        first_order_date,
        last_order_date
    from rates
)

select * from final
