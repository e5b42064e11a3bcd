{#- One row per experiment x non-control arm: conversion and revenue per customer in each arm,
    the absolute and relative lift with a 95% (1 - ab_alpha) confidence interval, a two-proportion
    z-test on conversion, a Welch t-test on revenue per customer, and a sample-ratio-mismatch
    chi-square test. Distribution functions are the scipy-backed UDFs in python_udfs/ on DuckDB
    and SQL approximations elsewhere (macros/cross_engine/distributions.sql), so this model is a
    table. -#}
{%- set alpha = setting('ab_alpha') -%}
{%- set intended_control_share = setting('ab_intended_split') -%}

with

arms as (
    select * from {{ ref('int_experiment_arms_aggregated') }}
),

control_arms as (
    select * from arms
    where variant = 'control'
),

treatment_arms as (
    select * from arms
    where variant != 'control'
),

experiment_sizes as (
    select
        campaign_id,
        count(*) as arms,
        sum(customers) as customers
    from arms
    group by campaign_id
),

expected_arm_sizes as (
    -- The intended split: equal shares by default, or var ab_intended_split for the control arm
    -- and the rest shared equally by the other arms.
    select
        arms.campaign_id,
        arms.variant,
        arms.customers,
        experiment_sizes.customers * {% if intended_control_share is none -%}
            {{ safe_divide(1, 'experiment_sizes.arms') }}
        {%- else -%}
            case
                when arms.variant = 'control' then {{ intended_control_share }}
                else {{ safe_divide(1 - intended_control_share, 'experiment_sizes.arms - 1') }}
            end
        {%- endif %} as expected_customers
    from arms
    inner join experiment_sizes
        on arms.campaign_id = experiment_sizes.campaign_id
),

sample_ratio as (
    -- Chi-square of the observed arm sizes against the intended ones.
    select
        campaign_id,
        count(*) - 1 as degrees_of_freedom,
        sum(power(customers - expected_customers, 2) / expected_customers) as chi_square
    from expected_arm_sizes
    group by campaign_id
),

paired as (
    select
        treatment_arms.campaign_id,
        treatment_arms.variant,
        treatment_arms.customers as n_treatment,
        control_arms.customers as n_control,
        treatment_arms.conversions as conversions_treatment,
        control_arms.conversions as conversions_control,
        treatment_arms.revenue_mean as revenue_mean_treatment,
        control_arms.revenue_mean as revenue_mean_control,
        treatment_arms.revenue_variance as revenue_variance_treatment,
        control_arms.revenue_variance as revenue_variance_control,
        {{ safe_divide('treatment_arms.revenue', 'treatment_arms.conversions') }}
            as revenue_per_conversion_treatment,
        {{ safe_divide('control_arms.revenue', 'control_arms.conversions') }}
            as revenue_per_conversion_control
    from treatment_arms
    inner join control_arms
        on treatment_arms.campaign_id = control_arms.campaign_id
),

tested as (
    {{ arm_comparison('paired', alpha) }}
),

final as (
    select
        tested.campaign_id,
        tested.variant,
        tested.n_treatment,
        tested.n_control,
        tested.conversion_rate_treatment,
        tested.conversion_rate_control,
        tested.conversion_lift_abs,
        {{ safe_divide('tested.conversion_lift_abs', 'tested.conversion_rate_control') }}
            as conversion_lift_rel,
        tested.conversion_ci_low,
        tested.conversion_ci_high,
        tested.conversion_p_value,
        tested.revenue_mean_treatment as revenue_per_customer_treatment,
        tested.revenue_mean_control as revenue_per_customer_control,
        tested.revenue_diff,
        {{ safe_divide('tested.revenue_diff', 'tested.revenue_mean_control') }} as revenue_lift_rel,
        tested.revenue_ci_low,
        tested.revenue_ci_high,
        tested.revenue_p_value,
        tested.revenue_per_conversion_treatment,
        tested.revenue_per_conversion_control,
        {{ chi_square_sf('sample_ratio.chi_square', 'sample_ratio.degrees_of_freedom') }} as srm_p_value,
        coalesce(tested.conversion_p_value < {{ alpha }}, false) as is_conversion_significant,
        coalesce(tested.revenue_p_value < {{ alpha }}, false) as is_revenue_significant
    from tested
    inner join sample_ratio
        on tested.campaign_id = sample_ratio.campaign_id
)

select * from final
