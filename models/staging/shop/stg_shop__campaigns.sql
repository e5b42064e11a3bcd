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
        -- Campaigns derived from contacts (or given without a cost) count as free: ROI is then
        -- undefined rather than invented, and the flag says why.
        coalesce(cost_per_contact, 0) as cost_per_contact,
        revenue_per_response,
        cost_per_contact is null as is_cost_per_contact_missing,
        start_date
    from base_campaigns
    where reject_reason is null
)

select * from usable
