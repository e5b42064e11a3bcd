{#- One row: the as-of date every recency, age and tenure is measured at: var as_of_date, else the
    day after the last order, else the latest signup (inputs without order lines), else today. -#}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
),

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

observed as (
    select max(order_date) + 1 as day_after_last_order
    from orders
    where is_counted
),

latest_signup as (
    -- Inputs without order lines (the Customer Personality Analysis file) are observed as of
    -- their latest enrolment date: Recency counts back from it.
    select max(signup_date) as latest_signup_date
    from customers
    where signup_date <= current_date
),

final as (
    select
        coalesce(
            {{ setting_literal('as_of_date') }},
            observed.day_after_last_order,
            latest_signup.latest_signup_date,
            current_date
        ) as as_of_date
    from observed
    cross join latest_signup
)

select * from final
