-- Assert that no training feature looks past the target campaign: a contacted customer's
-- recency is measured back from the contact date, and prior responses exclude the target.

with

features as (
    select * from {{ ref('int_response_features') }}
    where snapshot = 'train'
),

target_responses as (
    select
        count(*) filter (where responded) as responders,
        count(*) filter (where responded and prior_campaigns_accepted > prior_campaigns_contacted)
            as impossible_histories,
        count(*) filter (where recency_days < 0) as negative_recencies
    from features
)

select * from target_responses
where impossible_histories > 0 or negative_recencies > 0
