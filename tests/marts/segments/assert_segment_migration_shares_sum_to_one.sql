-- Assert that within each segment type and period every from-segment's shares in
-- segment_migration sum to 1 and that, for each segment type, its movers are exactly the
-- customers in customer_segment_history at that period end: nobody is lost or counted twice
-- between two snapshots.

with

migration as (
    select * from {{ ref('segment_migration') }}
),

history as (
    select * from {{ ref('customer_segment_history') }}
),

shares as (
    select
        segment_type,
        period_end,
        from_segment_id,
        sum(share_of_from_segment) as total_share
    from migration
    group by segment_type, period_end, from_segment_id
),

arrivals as (
    select
        segment_type,
        period_end,
        sum(customers) as customers
    from migration
    group by segment_type, period_end
),

segment_types as (
    select distinct segment_type from migration
),

snapshots as (
    select
        period_end,
        count(*) as customers
    from history
    group by period_end
),

violations as (
    select
        cast(shares.from_segment_id as {{ dbt.type_string() }}) as problem,
        shares.period_end
    from shares
    where abs(shares.total_share - 1) > 1e-9
    union all
    select
        segment_types.segment_type || ' arrivals differ from the snapshot' as problem,
        snapshots.period_end
    from snapshots
    cross join segment_types
    left join arrivals
        on snapshots.period_end = arrivals.period_end
            and segment_types.segment_type = arrivals.segment_type
    where arrivals.customers is null or arrivals.customers != snapshots.customers
)

select * from violations
