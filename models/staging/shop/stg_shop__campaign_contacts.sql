{#- One row per usable campaign contact; `variant = 'control'` marks a control arm. -#}

with

base_contacts as (
    select * from {{ ref('base_shop__campaign_contacts') }}
),

usable as (
    select
        campaign_id,
        customer_id,
        variant,
        response_revenue,
        responded,
        variant = 'control' as is_control,
        contact_date
    from base_contacts
    where reject_reason is null
)

select * from usable
