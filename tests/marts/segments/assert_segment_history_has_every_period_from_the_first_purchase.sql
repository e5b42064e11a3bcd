-- Assert that customer_segment_history holds each customer once per period from the period of
-- their first purchase to the newest period, without gaps: a customer who stops buying stays in
-- the history (and drifts to the lapsed segments) instead of disappearing.
-- The table's primary_key test holds each (customer_id, period_end) once, so a customer's rows
-- have no gap exactly when they number the periods from their first to the newest: one
-- aggregate per customer, not a window over every customer-period. Returns one row per
-- offending customer.
{%- set months_per_period = {'month': 1, 'quarter': 3}[setting('history_grain')] %}

with

history as (
    select * from {{ ref('customer_segment_history') }}
),

newest as (
    select max(period_end) as newest_period_end
    from history
),

customer_spans as (
    select
        customer_id,
        count(*) as periods,
        min(period_end) as first_period_end,
        max(period_end) as last_period_end,
        sum(case when is_first_period then 1 else 0 end) as first_period_flags,
        min(case when is_first_period then period_end end) as flagged_first_period_end
    from history
    group by customer_id
),

violations as (
    select customer_spans.*
    from customer_spans
    cross join newest
    where
        customer_spans.last_period_end != newest.newest_period_end
        or customer_spans.periods != {{ month_diff(
            'customer_spans.first_period_end', 'customer_spans.last_period_end'
        ) }} / {{ months_per_period }} + 1
        -- The first period, and only it, is flagged as the first.
        or customer_spans.first_period_flags != 1
        or customer_spans.flagged_first_period_end != customer_spans.first_period_end
)

select * from violations
