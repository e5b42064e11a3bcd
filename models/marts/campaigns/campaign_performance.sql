{#- One row per campaign x segment type x segment, plus one 'ALL' row per campaign: contacts,
    responses, revenue, cost, profit, ROI, break-even response rate and a targeting
    recommendation. Control arms of experiments are left out (they were not sent the offer). -#}

with

contacts as (
    select * from {{ ref('int_campaign_contacts_classified') }}
    where not is_control
),

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

segment_memberships as (
    -- Every contact counts once per segment type, and once more in the campaign total.
    select
        contacts.campaign_id,
        contacts.customer_id,
        contacts.responded,
        contacts.response_revenue,
        'rfm' as segment_type,
        coalesce(customer_rfm.rfm_segment, 'No purchase') as segment_id
    from contacts
    left join customer_rfm
        on contacts.customer_id = customer_rfm.customer_id
    union all
    select
        contacts.campaign_id,
        contacts.customer_id,
        contacts.responded,
        contacts.response_revenue,
        'kmeans' as segment_type,
        cast(cast(customer_segments.segment_id as bigint) as {{ dbt.type_string() }}) as segment_id
    from contacts
    inner join customer_segments
        on contacts.customer_id = customer_segments.customer_id
    union all
    select
        campaign_id,
        customer_id,
        responded,
        response_revenue,
        'all' as segment_type,
        'ALL' as segment_id
    from contacts
),

aggregated as (
    select
        segment_memberships.campaign_id,
        segment_memberships.segment_type,
        segment_memberships.segment_id,
        count(*) as contacts,
        count(*) filter (where segment_memberships.responded) as responses,
        coalesce(sum(segment_memberships.response_revenue), 0) as revenue,
        count(*) * {{ any_value('campaigns.cost_per_contact') }} as cost,
        {{ any_value('campaigns.campaign_name') }} as campaign_name,
        {{ any_value('campaigns.start_date') }} as campaign_start_date,
        {{ any_value('campaigns.break_even_response_rate') }} as break_even_response_rate
    from segment_memberships
    inner join campaigns
        on segment_memberships.campaign_id = campaigns.campaign_id
    group by
        segment_memberships.campaign_id,
        segment_memberships.segment_type,
        segment_memberships.segment_id
),

measured as (
    select
        aggregated.campaign_id,
        aggregated.segment_type,
        aggregated.segment_id,
        aggregated.campaign_name,
        aggregated.campaign_start_date,
        aggregated.contacts,
        aggregated.responses,
        aggregated.revenue,
        aggregated.cost,
        aggregated.revenue - aggregated.cost as profit,
        {{ safe_divide('aggregated.responses', 'aggregated.contacts') }} as response_rate,
        {{ return_on_cost('aggregated.revenue', 'aggregated.cost') }} as roi,
        aggregated.break_even_response_rate
    from aggregated
),

final as (
    select
        campaign_id,
        segment_type,
        segment_id,
        campaign_name,
        {{ campaign_recommendation('response_rate', 'break_even_response_rate') }} as recommendation,
        contacts,
        responses,
        response_rate,
        revenue,
        cost,
        profit,
        roi,
        break_even_response_rate,
        campaign_start_date
    from measured
)

select * from final
