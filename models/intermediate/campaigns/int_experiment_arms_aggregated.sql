{#- One row per experiment arm (campaign with a 'control' variant x variant): size, conversions
    and the mean and variance of revenue per contacted customer (zeros included). -#}

with

contacts as (
    select * from {{ ref('stg_shop__campaign_contacts') }}
),

experiments as (
    select distinct campaign_id
    from contacts
    where is_control
),

aggregated as (
    select
        contacts.campaign_id,
        contacts.variant,
        count(*) as customers,
        count(*) filter (where contacts.responded) as conversions,
        avg(coalesce(contacts.response_revenue, 0)) as revenue_mean,
        coalesce(var_samp(coalesce(contacts.response_revenue, 0)), 0) as revenue_variance,
        coalesce(sum(contacts.response_revenue), 0) as revenue
    from contacts
    inner join experiments
        on contacts.campaign_id = experiments.campaign_id
    group by contacts.campaign_id, contacts.variant
)

select * from aggregated
