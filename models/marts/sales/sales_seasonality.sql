{#- One row per period type and period: month of year (1-12) and ISO day of week (1 = Monday),
    each with its seasonal index (average revenue of the period / average over all periods),
    measured over complete calendar years. -#}

with

sales_monthly as (
    select * from {{ ref('sales_monthly') }}
),

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

complete_years as (
    -- A year counts when all twelve of its months are inside the observed span: partial first
    -- and last years would bias the months they cover.
    select {{ year_of('month_start') }} as sales_year
    from sales_monthly
    group by sales_year
    having count(*) = 12
),

basis as (
    -- With no complete year (less than a year of data) fall back to every observed month.
    select
        sales_monthly.*,
        (select count(*) from complete_years) as complete_years
    from sales_monthly
    where
        {{ year_of('sales_monthly.month_start') }} in (select complete_years.sales_year from complete_years)
        or (select count(*) from complete_years) = 0
),

month_of_year as (
    select
        'month_of_year' as period_type,
        {{ month_number('month_start') }} as period,
        {{ month_name('min(month_start)') }} as period_name,
        avg(revenue) as avg_revenue,
        max(complete_years) as complete_years
    from basis
    group by period
),

day_spine as (
    {{ period_spine(
        'day',
        '(select min(month_start) from basis)',
        "(select " ~ dbt.last_day('max(month_start)', 'month') ~ " from basis)"
    ) }}
),

daily_revenue as (
    select
        day_spine.period_start as sales_date,
        coalesce({{ money_sum('orders.amount') }}, 0) as revenue
    from day_spine
    left join orders
        on day_spine.period_start = orders.order_date
    group by sales_date
),

day_of_week as (
    select
        'day_of_week' as period_type,
        {{ iso_day_of_week('sales_date') }} as period,
        {{ day_name('min(sales_date)') }} as period_name,
        avg(revenue) as avg_revenue,
        (select max(basis.complete_years) from basis) as complete_years
    from daily_revenue
    group by period
),

periods as (
    select * from month_of_year
    union all
    select * from day_of_week
),

indexed as (
    select
        *,
        {{ safe_divide('avg_revenue', 'avg(avg_revenue) over (partition by period_type)') }}
            as seasonal_index
    from periods
),

final as (
    select
        period_type,
        period,
        period_name,
        avg_revenue,
        seasonal_index,
        complete_years,
        coalesce(seasonal_index >= {{ setting_literal('seasonal_peak_threshold') }}, false) as is_peak
    from indexed
)

select * from final
