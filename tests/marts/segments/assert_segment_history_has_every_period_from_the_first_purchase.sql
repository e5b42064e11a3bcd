-- Assert that customer_segment_history holds each customer once per period from the period of
-- their first purchase to the newest period, without gaps: a customer who stops buying stays in
-- the history (and drifts to the lapsed segments) instead of disappearing.

with

history as (
    select * from {{ ref('customer_segment_history') }}
),

newest as (
    select max(period_end) as newest_period_end
    from history
),

steps as (
    select
        customer_id,
        period_end,
        is_first_period,
        lead(period_end) over (partition by customer_id order by period_end) as next_period_end,
        row_number() over (partition by customer_id order by period_end) as period_number
    from history
),

violations as (
    select
        steps.customer_id,
        steps.period_end
    from steps
    cross join newest
    where
        -- The next snapshot is the end of the next period: the day after this end, one period on.
        (
            steps.next_period_end is not null
            and steps.next_period_end != {{ add_days(
                dbt.dateadd(setting('history_grain'), 1, add_days('steps.period_end', 1)), -1
            ) }}
        )
        or (steps.next_period_end is null and steps.period_end != newest.newest_period_end)
        or (steps.period_number = 1) != steps.is_first_period
)

select * from violations
