{#- One row per campaign: cost per contact, stated revenue per response, and what a response
    actually earned on average (for campaigns that state none, such as experiments). -#}

with

campaigns as (
    select * from {{ ref('stg_shop__campaigns') }}
),

contacts as (
    select * from {{ ref('stg_shop__campaign_contacts') }}
),

observed as (
    select
        campaign_id,
        avg(response_revenue) filter (where responded and not is_control) as observed_revenue_per_response
    from contacts
    group by campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.cost_per_contact,
        campaigns.revenue_per_response,
        observed.observed_revenue_per_response
    from campaigns
    left join observed
        on campaigns.campaign_id = observed.campaign_id
)

select * from final
