{#- One row per segment type x period end x from-segment x to-segment: how many customers moved
    from their segment at the previous period end to their segment at this one, their share of
    the from-segment (each from-segment's shares sum to 1), and what the movers spent in the
    period (net of returns). Customers in their first period come from 'New customers' (segment
    0); customers who stop buying drift to the lapsed segments as the RFM rules score their
    recency. Segment types 'rfm' and 'kmeans' (customer_segment_history). -#}

with

history as (
    select * from {{ ref('customer_segment_history') }}
),

transitions as (
    -- Each customer's segments at the previous period end, both segment types in one pass.
    select
        *,
        lag(rfm_segment_id) over customer_periods as previous_rfm_segment_id,
        lag(rfm_segment) over customer_periods as previous_rfm_segment,
        lag(segment_id) over customer_periods as previous_segment_id,
        lag(segment_name) over customer_periods as previous_segment_name
    from history
    window customer_periods as (partition by customer_id order by period_end)
),

memberships as (
    {{ history_memberships('transitions', with_previous=true) }}
),

labelled as (
    select
        segment_type,
        period_end,
        segment_id as to_segment_id,
        segment_name as to_segment,
        revenue_in_period,
        case when is_first_period then 0 else previous_segment_id end as from_segment_id,
        case when is_first_period then 'New customers' else previous_segment end as from_segment
    from memberships
),

flows as (
    select
        segment_type,
        period_end,
        from_segment_id,
        {{ any_value('from_segment') }} as from_segment,
        to_segment_id,
        {{ any_value('to_segment') }} as to_segment,
        count(*) as customers,
        {{ money_sum('revenue_in_period') }} as revenue_in_period
    from labelled
    group by segment_type, period_end, from_segment_id, to_segment_id
),

final as (
    select
        segment_type,
        period_end,
        cast(from_segment_id as {{ dbt.type_bigint() }}) as from_segment_id,
        from_segment,
        cast(to_segment_id as {{ dbt.type_bigint() }}) as to_segment_id,
        to_segment,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        {{ safe_divide(
            'customers', 'sum(customers) over (partition by segment_type, period_end, from_segment_id)'
        ) }} as share_of_from_segment,
        {{ cents('revenue_in_period') }} as revenue_in_period
    from flows
)

select * from final
