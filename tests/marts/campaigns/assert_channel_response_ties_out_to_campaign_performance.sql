-- Assert that every channel's and band type's contacts and responses in
-- campaign_channel_response add up to the campaign totals of campaign_performance for the
-- campaigns of that channel: the bands split the same treated contacts, none lost or doubled.

with

channel_response as (
    select * from {{ ref('campaign_channel_response') }}
),

campaign_performance as (
    select * from {{ ref('campaign_performance') }}
    where segment_type = 'all'
),

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

band_totals as (
    select
        channel,
        band_type,
        sum(contacts) as contacts,
        sum(responses) as responses
    from channel_response
    group by channel, band_type
),

campaign_totals as (
    select
        coalesce(campaigns.channel, 'unknown') as channel,
        sum(campaign_performance.contacts) as contacts,
        sum(campaign_performance.responses) as responses
    from campaign_performance
    inner join campaigns
        on campaign_performance.campaign_id = campaigns.campaign_id
    group by coalesce(campaigns.channel, 'unknown')
),

violations as (
    select
        campaign_totals.channel,
        band_totals.band_type,
        campaign_totals.contacts as expected_contacts,
        band_totals.contacts as band_contacts
    from campaign_totals
    left join band_totals
        on campaign_totals.channel = band_totals.channel
    where
        band_totals.channel is null
        or band_totals.contacts != campaign_totals.contacts
        or band_totals.responses != campaign_totals.responses
)

select * from violations
