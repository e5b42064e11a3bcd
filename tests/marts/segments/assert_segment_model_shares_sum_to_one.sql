-- Assert that each stored segmentation model version's fit shares sum to 1 and that its k is
-- the number of its segments: the drift check compares today's shares with these.

with

segment_model as (
    select * from {{ ref('segment_model') }}
),

versions as (
    select
        model_version,
        sum(fit_share) as total_share,
        count(*) as segments,
        min(k) as min_k,
        max(k) as max_k
    from segment_model
    group by model_version
),

violations as (
    select * from versions
    where
        abs(total_share - 1) > 1e-9
        or min_k != segments
        or max_k != segments
)

select * from violations
