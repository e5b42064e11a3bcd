{#- One row per customer with at least one purchase: recency, frequency and monetary value, their
    tie-safe 1-5 scores and the RFM segment from seed rfm_segment_rules. -#}

with

customer_features as (
    select * from {{ ref('int_customer_features') }}
),

rfm_segment_rules as (
    select * from {{ ref('rfm_segment_rules') }}
),

purchasers as (
    select
        customer_id,
        recency_days,
        orders_count as frequency,
        -- Net of returns: a refunded purchase is not value.
        net_revenue as monetary
    from customer_features
    where has_purchased
),

scored as (
    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        {{ quintile_score('recency_days', higher_is_better=false) }} as r_score,
        {{ quintile_score('frequency') }} as f_score,
        {{ quintile_score('monetary') }} as m_score
    from purchasers
),

with_cell as (
    select
        *,
        cast(r_score as {{ dbt.type_string() }})
        || cast(f_score as {{ dbt.type_string() }})
        || cast(m_score as {{ dbt.type_string() }}) as rfm_cell,
        -- The segment grid is recency against the mean of frequency and monetary.
        {{ rfm_fm_score('f_score', 'm_score') }} as fm_score
    from scored
),

final as (
    select
        with_cell.customer_id,
        with_cell.rfm_cell,
        cast(rfm_segment_rules.rfm_segment_id as {{ dbt.type_bigint() }}) as rfm_segment_id,
        rfm_segment_rules.rfm_segment,
        with_cell.recency_days,
        with_cell.frequency,
        with_cell.monetary,
        with_cell.r_score,
        with_cell.f_score,
        with_cell.m_score,
        with_cell.fm_score
    from with_cell
    left join rfm_segment_rules
        on {{ rfm_rule_matches('rfm_segment_rules', 'with_cell.r_score', 'with_cell.fm_score') }}
)

select * from final
