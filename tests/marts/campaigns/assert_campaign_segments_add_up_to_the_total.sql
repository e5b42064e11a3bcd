-- Assert that, for every campaign and segment type, the segments' contacts, responses, revenue
-- and cost add up to the campaign's ALL row: each contact lands in exactly one segment.

with

performance as (
    select * from {{ ref('campaign_performance') }}
),

segment_sums as (
    select
        campaign_id,
        segment_type,
        sum(contacts) as contacts,
        sum(responses) as responses,
        sum(revenue) as revenue,
        sum(cost) as cost
    from performance
    where segment_type != 'all'
    group by campaign_id, segment_type
),

totals as (
    select * from performance
    where segment_type = 'all'
),

mismatches as (
    select
        segment_sums.campaign_id,
        segment_sums.segment_type
    from segment_sums
    inner join totals
        on segment_sums.campaign_id = totals.campaign_id
    where
        segment_sums.contacts != totals.contacts
        or segment_sums.responses != totals.responses
        -- Relative: float sums in a different order differ in the last digits, and at 10 million
        -- customers the totals are large enough for that to exceed any fixed absolute bound.
        or abs(segment_sums.revenue - totals.revenue) > 1e-9 * greatest(abs(totals.revenue), 1)
        or abs(segment_sums.cost - totals.cost) > 1e-9 * greatest(abs(totals.cost), 1)
)

select * from mismatches
