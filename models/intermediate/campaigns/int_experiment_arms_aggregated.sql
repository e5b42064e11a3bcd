{#- One row per experiment arm (campaign with a 'control' variant x variant): size, conversions
    and the mean and variance of revenue per contacted customer (zeros included). -#}

with

experiment_contacts as (
    select * from {{ ref('int_campaign_contacts_classified') }}
    where is_experiment
),

aggregated as (
    select
        campaign_id,
        variant,
        count(*) as customers,
        count(*) filter (where responded) as conversions,
        avg(coalesce(response_revenue, 0)) as revenue_mean,
        coalesce(var_samp(coalesce(response_revenue, 0)), 0) as revenue_variance,
        coalesce(sum(response_revenue), 0) as revenue
    from experiment_contacts
    group by campaign_id, variant
)

select * from aggregated
