{#- One row per usable customer: typed, trimmed, with data-quality flags (never dropped for them). -#}

with

base_customers as (
    select * from {{ ref('base_shop__customers') }}
),

usable as (
    select * from base_customers
    where reject_reason is null
),

flagged as (
    select
        customer_id,
        gender,
        education,
        marital_status,
        birth_year,
        income,
        kids_home,
        teens_home,
        coalesce(
            birth_year < {{ setting_literal('min_plausible_birth_year') }}
            or birth_year > {{ year_of('current_date') }},
            false
        ) as is_birth_year_implausible,
        coalesce(
            income > {{ setting_literal('max_plausible_income') }} or income < 0, false
        ) as is_income_outlier,
        income is null as is_income_missing,
        is_signup_date_unparseable,
        signup_date
    from usable
)

select * from flagged
