{#- One row per customer x period end (var history_grain: month or quarter) from the period of
    their first purchase to the last complete period before the as-of date: recency, frequency
    and monetary value as of the day after the period end, their 1-5 scores among the customers
    who had bought by then and the RFM segment those scores give (seed rfm_segment_rules), and
    the K-means segment of the stored model the customer was nearest to then, all computed from
    the order lines, so the whole history exists on a first build. int_customer_period_segments
    carries each customer-period's recency, orders and revenue with its segment, so the
    customer-periods are read once and only the score tables (one row per period and value) are
    joined to them.
    Incremental: a run recomputes the newest stored period (late orders within the lookback) and
    adds the periods completed since; stored periods keep the K-means segment they were given. -#}
{{ config(
    materialized=incremental_materialization(),
    unique_key='period_end',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

period_segments as (
    select * from {{ ref('int_customer_period_segments') }}
),

rfm_segment_rules as (
    select * from {{ ref('rfm_segment_rules') }}
),

score_cells as (
    -- Every (r, fm) score pair with its rule, so that the scored rows join on equality.
    {% for cell in range(25) -%}
        select {{ cell // 5 + 1 }} as r_score, {{ cell % 5 + 1 }} as fm_score
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

cell_segments as (
    select
        score_cells.r_score,
        score_cells.fm_score,
        rfm_segment_rules.rfm_segment_id,
        rfm_segment_rules.rfm_segment
    from score_cells
    left join rfm_segment_rules
        on {{ rfm_rule_matches('rfm_segment_rules', 'score_cells.r_score', 'score_cells.fm_score') }}
),

{% if is_incremental() %}
    new_periods as (
        -- The newest stored period again (late orders) and every period completed since.
        select * from period_segments
        where period_end >= (select max(this_history.period_end) from {{ this }} as this_history)
    ),
{% else %}
    new_periods as (
        select * from period_segments
    ),
{% endif %}

recency_scores as (
    {{ quintile_scores('new_periods', 'recency_days', higher_is_better=false, partition_by='period_end') }}
),

frequency_scores as (
    {{ quintile_scores('new_periods', 'orders_count', partition_by='period_end') }}
),

monetary_scores as (
    {{ quintile_scores('new_periods', 'net_revenue', partition_by='period_end') }}
),

scored as (
    -- Recency, orders and net revenue are never null here (every row is a purchaser's), so the
    -- scores join on plain equality; a row without a score would have no RFM segment, which a
    -- not_null test on rfm_segment reports.
    select
        new_periods.*,
        recency_scores.score as r_score,
        frequency_scores.score as f_score,
        monetary_scores.score as m_score
    from new_periods
    left join recency_scores
        on new_periods.period_end = recency_scores.period_end
            and new_periods.recency_days = recency_scores.recency_days
    left join frequency_scores
        on new_periods.period_end = frequency_scores.period_end
            and new_periods.orders_count = frequency_scores.orders_count
    left join monetary_scores
        on new_periods.period_end = monetary_scores.period_end
            and new_periods.net_revenue = monetary_scores.net_revenue
),

final as (
    select
        scored.customer_id,
        cast(scored.period_end as date) as period_end,
        cast(cell_segments.rfm_segment_id as {{ dbt.type_bigint() }}) as rfm_segment_id,
        cell_segments.rfm_segment,
        cast(scored.segment_id as {{ dbt.type_bigint() }}) as segment_id,
        scored.segment_name,
        scored.recency_days,
        scored.orders_count as frequency,
        scored.net_revenue as monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.revenue_in_period,
        scored.is_first_period
    from scored
    left join cell_segments
        on scored.r_score = cell_segments.r_score
            and {{ rfm_fm_score('scored.f_score', 'scored.m_score') }} = cell_segments.fm_score
)

select * from final
