{#- One row per customer x period end (var history_grain: month or quarter) from the period of
    their first purchase to the last complete period before the as-of date: recency, frequency
    and monetary value as of the day after the period end, their 1-5 scores among the customers
    who had bought by then, and the RFM segment those scores give (seed rfm_segment_rules), all
    computed from the order lines, so the whole history exists on a first build.
    Incremental: a run recomputes the newest stored period (late orders within the lookback) and
    adds the periods completed since. -#}
{{ config(
    materialized=incremental_materialization(),
    unique_key='period_end',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
{%- set grain = setting('history_grain') %}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

rfm_segment_rules as (
    select * from {{ ref('rfm_segment_rules') }}
),

dated_lines as (
    select
        customer_id,
        order_id,
        order_date,
        is_return,
        amount,
        cast({{ dbt.date_trunc(grain, 'order_date') }} as date) as period_start
    from orders
),

order_dates as (
    -- An order is a purchase on the day of its first bought line (returns are not purchases).
    select
        customer_id,
        order_id,
        min(order_date) as purchase_date
    from dated_lines
    where not is_return
    group by customer_id, order_id
),

period_purchases as (
    select
        customer_id,
        cast({{ dbt.date_trunc(grain, 'purchase_date') }} as date) as period_start,
        count(*) as orders_in_period,
        max(purchase_date) as last_purchase_in_period
    from order_dates
    group by customer_id, cast({{ dbt.date_trunc(grain, 'purchase_date') }} as date)
),

period_revenue as (
    select
        customer_id,
        period_start,
        {{ money_sum('amount') }} as revenue_in_period
    from dated_lines
    group by customer_id, period_start
),

first_periods as (
    select
        customer_id,
        min(period_start) as first_period_start
    from period_purchases
    group by customer_id
),

bounds as (
    -- From the first purchase's period to the last period that ended before the as-of date.
    select
        min(first_periods.first_period_start) as first_start,
        max(reference_date.as_of_date) as as_of_date
    from first_periods
    cross join reference_date
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
        period_start,
        {{ add_days(dbt.dateadd(grain, 1, 'period_start'), -1) }} as period_end
    from periods
),

complete_periods as (
    select period_ends.*
    from period_ends
    cross join bounds
    where period_ends.period_end < bounds.as_of_date
),

customer_periods as (
    -- Every customer once per period from their first purchase's period on, bought or not.
    select
        first_periods.customer_id,
        complete_periods.period_start,
        complete_periods.period_end,
        first_periods.first_period_start = complete_periods.period_start as is_first_period
    from first_periods
    inner join complete_periods
        on first_periods.first_period_start <= complete_periods.period_start
),

activity as (
    select
        customer_periods.*,
        coalesce(period_purchases.orders_in_period, 0) as orders_in_period,
        period_purchases.last_purchase_in_period,
        coalesce(period_revenue.revenue_in_period, 0) as revenue_in_period
    from customer_periods
    left join period_purchases
        on customer_periods.customer_id = period_purchases.customer_id
            and customer_periods.period_start = period_purchases.period_start
    left join period_revenue
        on customer_periods.customer_id = period_revenue.customer_id
            and customer_periods.period_start = period_revenue.period_start
),

running as (
    -- Totals to date: the same measures customer_rfm reads, as of each period end.
    select
        customer_id,
        period_end,
        is_first_period,
        revenue_in_period,
        sum(orders_in_period) over customer_to_date as frequency,
        -- Fixed point, as money_sum: equal values stay equal, so quintile ties match customer_rfm.
        cast(
            sum(cast(revenue_in_period as decimal(18, 4))) over customer_to_date
            as {{ engine_type('double') }}
        ) as monetary,
        max(last_purchase_in_period) over customer_to_date as last_purchase_date
    from activity
    window customer_to_date as (
        partition by customer_id order by period_end rows between unbounded preceding and current row
    )
),

{% if is_incremental() %}
    new_periods as (
        -- The newest stored period again (late orders) and every period completed since.
        select * from running
        where period_end >= (select max(this_history.period_end) from {{ this }} as this_history)
    ),
{% else %}
    new_periods as (
        select * from running
    ),
{% endif %}

measured as (
    select
        customer_id,
        period_end,
        is_first_period,
        revenue_in_period,
        frequency,
        monetary,
        {{ day_diff('last_purchase_date', add_days('period_end', 1)) }} as recency_days
    from new_periods
    where frequency > 0
),

scored as (
    select
        *,
        {{ quintile_score('recency_days', higher_is_better=false, partition_by='period_end') }}
            as r_score,
        {{ quintile_score('frequency', partition_by='period_end') }} as f_score,
        {{ quintile_score('monetary', partition_by='period_end') }} as m_score
    from measured
),

final as (
    select
        scored.customer_id,
        scored.period_end,
        cast(rfm_segment_rules.rfm_segment_id as {{ dbt.type_bigint() }}) as rfm_segment_id,
        rfm_segment_rules.rfm_segment,
        scored.recency_days,
        cast(scored.frequency as {{ dbt.type_bigint() }}) as frequency,
        scored.monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.revenue_in_period,
        scored.is_first_period
    from scored
    left join rfm_segment_rules
        on {{ rfm_rule_matches(
            'rfm_segment_rules', 'scored.r_score', rfm_fm_score('scored.f_score', 'scored.m_score')
        ) }}
)

select * from final
