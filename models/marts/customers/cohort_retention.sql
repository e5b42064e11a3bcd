{#- One row per acquisition cohort (month of first purchase) x months since first purchase, up to
    the as-of date: cohort size, active customers, retention rate, revenue and cumulative revenue
    per cohort customer. -#}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

first_purchases as (
    select
        customer_id,
        {{ month_of('min(order_date)') }} as cohort_month
    from orders
    where not is_return
    group by customer_id
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customers
    from first_purchases
    group by cohort_month
),

customer_months as (
    select
        first_purchases.cohort_month,
        orders.customer_id,
        {{ month_diff('first_purchases.cohort_month', 'orders.order_date') }} as months_since_first_order,
        {{ money_sum('orders.amount') }} as revenue,
        count(*) filter (where not orders.is_return) > 0 as has_purchase
    from orders
    inner join first_purchases
        on orders.customer_id = first_purchases.customer_id
    group by first_purchases.cohort_month, orders.customer_id, months_since_first_order
),

cohort_months as (
    select
        cohort_month,
        months_since_first_order,
        count(*) filter (where has_purchase) as active_customers,
        {{ money_sum('revenue') }} as revenue
    from customer_months
    group by cohort_month, months_since_first_order
),

month_spine as (
    -- The last month is that of the last observed day (the day before the as-of date).
    {%- set last_month = month_of(add_days('reference_date.as_of_date', -1)) %}
    {{ period_spine(
        'month',
        '(select min(cohort_sizes.cohort_month) from cohort_sizes)',
        '(select ' ~ last_month ~ ' from reference_date)'
    ) }}
),

offsets as (
    -- Every cohort gets every month up to the as-of date, zero-filled, so curves do not skip.
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        {{ month_diff('cohort_sizes.cohort_month', 'month_spine.period_start') }} as months_since_first_order
    from cohort_sizes
    inner join month_spine
        on cohort_sizes.cohort_month <= month_spine.period_start
),

final as (
    select
        offsets.cohort_month,
        offsets.months_since_first_order,
        offsets.cohort_customers,
        coalesce(cohort_months.active_customers, 0) as active_customers,
        {{ safe_divide('coalesce(cohort_months.active_customers, 0)', 'offsets.cohort_customers') }}
            as retention_rate,
        coalesce(cohort_months.revenue, 0) as revenue,
        sum(coalesce(cohort_months.revenue, 0)) over (
            partition by offsets.cohort_month
            order by offsets.months_since_first_order
            rows between unbounded preceding and current row
        ) / offsets.cohort_customers as cumulative_revenue_per_customer
    from offsets
    left join cohort_months
        on offsets.cohort_month = cohort_months.cohort_month
            and offsets.months_since_first_order = cohort_months.months_since_first_order
)

select * from final
