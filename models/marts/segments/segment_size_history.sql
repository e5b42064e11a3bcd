{#- One row per segment type x period end x segment: customers in the segment at the period end,
    their share of the customers who had bought by then, and what they spent in the period (net
    of returns): the trend behind segment_migration. Segment types 'rfm' and 'kmeans'. -#}

with

history as (
    select * from {{ ref('customer_segment_history') }}
),

memberships as (
    {{ history_memberships('history') }}
),

sizes as (
    select
        segment_type,
        period_end,
        segment_id,
        {{ any_value('segment_name') }} as segment_name,
        count(*) as customers,
        {{ money_sum('revenue_in_period') }} as revenue_in_period
    from memberships
    group by segment_type, period_end, segment_id
),

final as (
    select
        segment_type,
        period_end,
        cast(segment_id as {{ dbt.type_bigint() }}) as segment_id,
        segment_name,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        {{ safe_divide('customers', 'sum(customers) over (partition by segment_type, period_end)') }}
            as share_of_customers,
        {{ cents('revenue_in_period') }} as revenue_in_period
    from sizes
)

select * from final
