{#- One row per complete period (var history_grain: month or quarter) from the period of the
    first purchase in the order lines to the last period that ended before the as-of date: the
    periods the customer history is written for. Empty without dated order lines. -#}
{%- set grain = setting('history_grain') %}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

bounds as (
    select
        cast({{ dbt.date_trunc(grain, 'min(orders.order_date)') }} as date) as first_start,
        max(reference_date.as_of_date) as as_of_date
    from orders
    cross join reference_date
    where not orders.is_return
),

months as (
    {{ period_spine('month', '(select first_start from bounds)', '(select as_of_date from bounds)') }}
),

periods as (
    select distinct
        cast({{ dbt.date_trunc(grain, 'months.period_start') }} as date) as period_start
    from months
),

period_ends as (
    select
        periods.period_start,
        {{ add_days(dbt.dateadd(grain, 1, 'periods.period_start'), -1) }} as period_end,
        bounds.as_of_date
    from periods
    cross join bounds
),

final as (
    select * from period_ends
    where period_end < as_of_date
)

select * from final
