{#- One row per usable campaign: what a contact costs, what a response earns, whether the
    campaign is an experiment and, for a broadcast campaign with contacts, its place in the order
    broadcasts reached customers. The one home of these rules: a campaign with a control contact is
    an experiment; a campaign that states no revenue per response earns what its treated
    responders spent on average; broadcasts are sequenced by contact date, then id. -#}

with

campaigns as (
    select * from {{ ref('stg_shop__campaigns') }}
),

contacts as (
    select * from {{ ref('stg_shop__campaign_contacts') }}
),

contact_summaries as (
    select
        campaign_id,
        coalesce(bool_or(is_control), false) as is_experiment,
        avg(response_revenue) filter (where responded and not is_control)
            as observed_revenue_per_response,
        min(contact_date) as first_contact_date
    from contacts
    group by campaign_id
),

resolved as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.cost_per_contact,
        campaigns.revenue_per_response as stated_revenue_per_response,
        contact_summaries.observed_revenue_per_response,
        coalesce(
            campaigns.revenue_per_response, contact_summaries.observed_revenue_per_response
        ) as revenue_per_response,
        campaigns.is_cost_per_contact_missing,
        coalesce(contact_summaries.is_experiment, false) as is_experiment,
        contact_summaries.campaign_id is not null as has_contacts,
        -- When a campaign reached its customers: the first contact, else its stated start.
        coalesce(contact_summaries.first_contact_date, campaigns.start_date) as contact_date,
        campaigns.start_date
    from campaigns
    left join contact_summaries
        on campaigns.campaign_id = contact_summaries.campaign_id
),

broadcasts as (
    select
        campaign_id,
        row_number() over (order by contact_date nulls first, campaign_id) as broadcast_sequence
    from resolved
    where not is_experiment and has_contacts
),

final as (
    select
        resolved.*,
        {{ break_even_response_rate('resolved.cost_per_contact', 'resolved.revenue_per_response') }}
            as break_even_response_rate,
        broadcasts.broadcast_sequence
    from resolved
    left join broadcasts
        on resolved.campaign_id = broadcasts.campaign_id
)

select * from final
