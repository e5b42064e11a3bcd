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
    -- Each customer's segment ids and period end at their previous period end, both segment
    -- types in one pass. Names are looked up per period afterwards: carrying text through a
    -- window over every customer-period costs more than a join over the flows (thousands).
    select
        *,
        lag(rfm_segment_id) over customer_periods as previous_rfm_segment_id,
        lag(segment_id) over customer_periods as previous_segment_id,
        lag(period_end) over customer_periods as previous_period_end
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
        is_first_period,
        segment_id as to_segment_id,
        segment_name as to_segment,
        revenue_in_period,
        case when is_first_period then 0 else previous_segment_id end as from_segment_id,
        case when not is_first_period then previous_period_end end as from_period_end
    from memberships
),

origin_flows as (
    -- One row per move and the period end the customers moved from (one per move unless a
    -- customer's periods have gaps).
    select
        segment_type,
        period_end,
        is_first_period,
        from_period_end,
        from_segment_id,
        to_segment_id,
        {{ any_value('to_segment') }} as to_segment,
        count(*) as customers,
        {{ money_total('revenue_in_period') }} as revenue_in_period
    from labelled
    group by segment_type, period_end, is_first_period, from_period_end, from_segment_id, to_segment_id
),

segment_names as (
    -- Each segment's name at each period end, as its members were labelled.
    select
        segment_type,
        period_end,
        to_segment_id as segment_id,
        {{ any_value('to_segment') }} as segment_name
    from origin_flows
    group by segment_type, period_end, to_segment_id
),

named_origin_flows as (
    select
        origin_flows.*,
        case
            when origin_flows.is_first_period then 'New customers'
            else segment_names.segment_name
        end as from_segment
    from origin_flows
    left join segment_names
        on origin_flows.segment_type = segment_names.segment_type
            and origin_flows.from_period_end = segment_names.period_end
            and origin_flows.from_segment_id = segment_names.segment_id
),

flows as (
    select
        segment_type,
        period_end,
        from_segment_id,
        {{ any_value('from_segment') }} as from_segment,
        to_segment_id,
        {{ any_value('to_segment') }} as to_segment,
        sum(customers) as customers,
        {{ money_sum('revenue_in_period') }} as revenue_in_period
    from named_origin_flows
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
