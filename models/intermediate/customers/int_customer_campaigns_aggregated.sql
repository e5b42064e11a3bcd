{#- One row per contacted customer: broadcast campaign history (contacts, responses). Arms of
    randomized tests are left out so that a test does not read as a marketing response. -#}

with

contacts as (
    select * from {{ ref('stg_shop__campaign_contacts') }}
),

experiments as (
    select distinct campaign_id
    from contacts
    where is_control
),

broadcast_contacts as (
    select contacts.*
    from contacts
    left join experiments
        on contacts.campaign_id = experiments.campaign_id
    where experiments.campaign_id is null
),

aggregated as (
    select
        customer_id,
        count(*) as campaigns_contacted,
        count(*) filter (where responded) as campaigns_accepted,
        max(contact_date) filter (where responded) as last_response_date
    from broadcast_contacts
    group by customer_id
)

select * from aggregated
