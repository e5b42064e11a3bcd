{#- One row per usable campaign contact, with its campaign's classification: experiment arms
    (control or treatment) and broadcast contacts are told apart here, once. -#}

with

contacts as (
    select * from {{ ref('stg_shop__campaign_contacts') }}
),

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

classified as (
    select
        contacts.campaign_id,
        contacts.customer_id,
        contacts.variant,
        contacts.response_revenue,
        contacts.responded,
        contacts.is_control,
        campaigns.is_experiment,
        contacts.contact_date
    from contacts
    inner join campaigns
        on contacts.campaign_id = campaigns.campaign_id
)

select * from classified
