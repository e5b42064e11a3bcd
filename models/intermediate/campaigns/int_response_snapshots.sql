{#- One row per snapshot of int_response_features: the campaign its models predict and the date
    its features are computed before. 'train': the target campaign (var response_campaign_id,
    else the latest broadcast campaign), cut off at its contact date. 'experiment': the target
    experiment (var uplift_campaign_id, else the latest campaign with a control arm), cut off at
    its contact date. 'score': every customer as of the as-of date, for the train campaign's
    successor. Broadcasts sequenced before first_later_campaign are a snapshot's prior campaigns.
    A snapshot whose campaign does not exist has no row. -#}

with

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

broadcasts as (
    select
        campaign_id,
        contact_date,
        broadcast_sequence
    from campaigns
    where broadcast_sequence is not null
),

experiments as (
    select
        campaign_id,
        contact_date,
        row_number() over (order by contact_date desc nulls last, campaign_id desc) as recency_rank
    from campaigns
    where is_experiment and has_contacts
),

target_experiment as (
    select
        campaign_id,
        contact_date
    from experiments
    where
        {% if setting('uplift_campaign_id') is not none -%}
            campaign_id = {{ setting_literal('uplift_campaign_id') }}
        {%- else -%}
            recency_rank = 1
        {%- endif %}
),

latest_broadcast as (
    select max(broadcast_sequence) as broadcast_sequence
    from broadcasts
),

target_campaign as (
    select broadcasts.*
    from broadcasts
    cross join latest_broadcast
    where
        {% if setting('response_campaign_id') is not none -%}
            broadcasts.campaign_id = {{ setting_literal('response_campaign_id') }}
        {%- else -%}
            broadcasts.broadcast_sequence = latest_broadcast.broadcast_sequence
        {%- endif %}
),

snapshots as (
    select
        'train' as snapshot,
        campaign_id as target_campaign_id,
        contact_date as cutoff_date,
        broadcast_sequence as first_later_campaign
    from target_campaign
    union all
    select
        'experiment' as snapshot,
        target_experiment.campaign_id as target_campaign_id,
        target_experiment.contact_date as cutoff_date,
        -- Broadcast campaigns that reached customers before the experiment are its prior ones.
        1 + (
            select count(*) from broadcasts
            where broadcasts.contact_date < target_experiment.contact_date
        ) as first_later_campaign
    from target_experiment
    union all
    select
        'score' as snapshot,
        (select {{ any_value('target_campaign.campaign_id') }} from target_campaign) as target_campaign_id,
        reference_date.as_of_date as cutoff_date,
        coalesce(latest_broadcast.broadcast_sequence, 0) + 1 as first_later_campaign
    from reference_date
    cross join latest_broadcast
)

select * from snapshots
