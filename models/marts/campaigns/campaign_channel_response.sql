{#- One row per campaign channel x band type ('all', 'age', 'income') x band: how many treated
    contacts the channel's campaigns made in the band, how many responded, the response rate, and
    that rate against the channel's overall rate ("young customers answer social media, older
    ones e-mail"). Treated contacts only, as in campaign_performance: the 'all' rows of a channel
    add up its campaigns' contacts and responses there. -#}

with

contacts as (
    select * from {{ ref('int_campaign_contacts_classified') }}
    where not is_control
),

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

customers as (
    select * from {{ ref('customers') }}
),

age_ranges as (
    select * from {{ ref('age_ranges') }}
),

income_ranges as (
    select * from {{ ref('income_ranges') }}
),

channel_contacts as (
    select
        contacts.customer_id,
        contacts.campaign_id,
        contacts.responded,
        coalesce(campaigns.channel, 'unknown') as channel
    from contacts
    inner join campaigns
        on contacts.campaign_id = campaigns.campaign_id
),

band_memberships as (
    {{ segment_memberships(
        'channel_contacts',
        ['channel', 'campaign_id', 'responded'],
        ['all', 'age', 'income']
    ) }}
),

aggregated as (
    select
        channel,
        segment_type as band_type,
        segment_id as band_id,
        {{ any_value('segment_name') }} as band,
        count(distinct campaign_id) as campaigns,
        count(*) as contacts,
        sum(case when responded then 1 else 0 end) as responses
    from band_memberships
    group by channel, segment_type, segment_id
),

rated as (
    select
        *,
        {{ safe_divide('responses', 'contacts') }} as response_rate,
        {{ safe_divide(
            'sum(responses) over (partition by channel, band_type)',
            'sum(contacts) over (partition by channel, band_type)'
        ) }} as channel_response_rate
    from aggregated
),

final as (
    select
        channel,
        band_type,
        band_id,
        band,
        campaigns,
        cast(contacts as {{ dbt.type_bigint() }}) as contacts,
        cast(responses as {{ dbt.type_bigint() }}) as responses,
        response_rate,
        channel_response_rate,
        {{ safe_divide('response_rate', 'channel_response_rate') }} as response_index
    from rated
)

select * from final
