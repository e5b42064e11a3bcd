{#- One row per day from 2000 to 2039: the time spine MetricFlow joins metrics to (metric_time). -#}

with

days as (
    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2000-01-01' as date)",
        end_date="cast('2040-01-01' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
