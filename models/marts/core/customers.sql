{#- One row per customer: cleaned demographics, purchase summary and campaign history. -#}

with

customer_features as (
    select * from {{ ref('int_customer_features') }}
),

final as (
    select
        customer_id,
        gender,
        education,
        education_level,
        marital_status,
        marital_group,
        age_range,
        income_range,
        birth_year,
        age,
        income,
        income_clean,
        kids_home,
        teens_home,
        household_size,
        orders_count,
        returns_count,
        gross_revenue,
        returned_amount,
        net_revenue,
        avg_order_value,
        {% for category in product_categories() -%}
            spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            purchases_{{ channel }},
        {% endfor -%}
        deal_purchases,
        deal_share,
        campaigns_contacted,
        campaigns_accepted,
        web_visits_per_month,
        recency_days,
        tenure_days,
        has_children,
        has_purchased,
        is_birth_year_implausible,
        is_income_missing,
        is_income_outlier,
        is_income_imputed,
        is_marital_status_odd,
        is_deal_purchases_capped,
        signup_date,
        first_order_date,
        last_order_date,
        as_of_date
    from customer_features
)

select * from final
