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
        {{ safe_divide('treatment_arms.conversions', 'treatment_arms.customers') }}
            as conversion_rate_treatment,
        {{ safe_divide('control_arms.conversions', 'control_arms.customers') }} as conversion_rate_control,
        treatment_arms.revenue_mean as revenue_per_customer_treatment,
        control_arms.revenue_mean as revenue_per_customer_control,
        treatment_arms.revenue_variance / treatment_arms.customers as revenue_mean_variance_treatment,
        control_arms.revenue_variance / control_arms.customers as revenue_mean_variance_control,
        {{ safe_divide('treatment_arms.revenue', 'treatment_arms.conversions') }}
            as revenue_per_conversion_treatment,
        {{ safe_divide('control_arms.revenue', 'control_arms.conversions') }}
            as revenue_per_conversion_control
    from treatment_arms
    inner join control_arms
        on treatment_arms.campaign_id = control_arms.campaign_id
),

test_statistics as (
    select
        *,
        conversion_rate_treatment - conversion_rate_control as conversion_lift_abs,
        {{ safe_divide('conversions_treatment + conversions_control', 'n_treatment + n_control') }}
            as pooled_rate,
        -- Unpooled standard error for the interval, pooled for the test (the null says equal rates).
        sqrt(
            conversion_rate_treatment * (1 - conversion_rate_treatment) / n_treatment
            + conversion_rate_control * (1 - conversion_rate_control) / n_control
        ) as conversion_se_unpooled,
        revenue_per_customer_treatment - revenue_per_customer_control as revenue_diff,
        sqrt(revenue_mean_variance_treatment + revenue_mean_variance_control) as revenue_se,
        -- Welch-Satterthwaite degrees of freedom.
        {{ safe_divide(
            'power(revenue_mean_variance_treatment + revenue_mean_variance_control, 2)',
            'power(revenue_mean_variance_treatment, 2) / (n_treatment - 1)
            + power(revenue_mean_variance_control, 2) / (n_control - 1)'
        ) }} as revenue_degrees_of_freedom
    from paired
),

z_and_t as (
    select
        *,
        {{ safe_divide(
            'conversion_lift_abs',
            'sqrt(pooled_rate * (1 - pooled_rate) * (1.0e0 / n_treatment + 1.0e0 / n_control))'
        ) }} as conversion_z,
        {{ safe_divide('revenue_diff', 'revenue_se') }} as revenue_t
    from test_statistics
),

final as (
    select
        z_and_t.campaign_id,
        z_and_t.variant,
        z_and_t.n_treatment,
        z_and_t.n_control,
        z_and_t.conversion_rate_treatment,
        z_and_t.conversion_rate_control,
        z_and_t.conversion_lift_abs,
        {{ safe_divide('z_and_t.conversion_lift_abs', 'z_and_t.conversion_rate_control') }}
            as conversion_lift_rel,
        z_and_t.conversion_lift_abs
        - {{ normal_quantile(1 - alpha / 2) }} * z_and_t.conversion_se_unpooled as conversion_ci_low,
        z_and_t.conversion_lift_abs
        + {{ normal_quantile(1 - alpha / 2) }} * z_and_t.conversion_se_unpooled as conversion_ci_high,
        -- 2 * P(Z <= -|z|) keeps precision for tiny p-values, unlike 2 * (1 - P(Z <= |z|)).
        2 * {{ normal_cdf('-abs(z_and_t.conversion_z)') }} as conversion_p_value,
        z_and_t.revenue_per_customer_treatment,
        z_and_t.revenue_per_customer_control,
        z_and_t.revenue_diff,
        z_and_t.revenue_diff
        - {{ student_t_quantile(1 - alpha / 2, 'z_and_t.revenue_degrees_of_freedom') }} * z_and_t.revenue_se
            as revenue_ci_low,
        z_and_t.revenue_diff
        + {{ student_t_quantile(1 - alpha / 2, 'z_and_t.revenue_degrees_of_freedom') }} * z_and_t.revenue_se
            as revenue_ci_high,
        2 * {{ student_t_cdf('-abs(z_and_t.revenue_t)', 'z_and_t.revenue_degrees_of_freedom') }}
            as revenue_p_value,
        z_and_t.revenue_per_conversion_treatment,
        z_and_t.revenue_per_conversion_control,
        {{ chi_square_sf('sample_ratio.chi_square', 'sample_ratio.degrees_of_freedom') }} as srm_p_value,
        coalesce(2 * {{ normal_cdf('-abs(z_and_t.conversion_z)') }} < {{ alpha }}, false) as is_significant
    from z_and_t
    inner join sample_ratio
        on z_and_t.campaign_id = sample_ratio.campaign_id
)

select * from final
