-- Assert that segment ids run 1..k without gaps and that k is the chosen k of segment_k_selection.
-- Without a chosen k (no purchaser to segment) there is at most one segment; an empty
-- customer_segments with customers is caught by assert_every_customer_has_exactly_one_segment.

with

segments as (
    select distinct segment_id from {{ ref('customer_segments') }}
),

chosen as (
    select k from {{ ref('segment_k_selection') }}
    where is_chosen
),

summary as (
    select
        count(*) as segment_count,
        min(segment_id) as lowest_id,
        max(segment_id) as highest_id,
        (select max(chosen.k) from chosen) as chosen_k
    from segments
)

select * from summary
where
    (chosen_k is not null and segment_count != chosen_k)
    or (chosen_k is null and segment_count > 1)
    or (segment_count > 0 and (lowest_id != 1 or highest_id != segment_count))
