{#- One row per usable campaign. -#}

with

base_campaigns as (
    select * from {{ ref('base_shop__campaigns') }}
),

usable as (
    select
        campaign_id,
        campaign_name,
        channel,
        cost_per_contact,
        revenue_per_response,
        start_date
    from base_campaigns
    where reject_reason is null
)

select * from usable
