{#- One row per contacted customer: broadcast campaign history (contacts, responses). Arms of
    randomized tests are left out so that a test does not read as a marketing response. -#}

with

broadcast_contacts as (
    select * from {{ ref('int_campaign_contacts_classified') }}
    where not is_experiment
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
