{#- Two-arm comparison of an experiment cell, shared by ab_test_results, ab_test_segments and
    campaign_performance. arm_differences reads the standard arm columns of the row it is
    selected over: n_treatment, n_control, conversions_treatment, conversions_control,
    revenue_mean_treatment, revenue_mean_control, revenue_variance_treatment and
    revenue_variance_control (revenue per contacted customer, zeros included; sample variance);
    arm_critical_values and arm_tests read the columns before them. -#}

{#- Rates, differences and their standard errors: the unpooled standard error for the interval,
    the pooled one for the z-test (the null says equal rates), Welch-Satterthwaite degrees of
    freedom for revenue per customer. Every expression reads only the arm columns, so the macro
    can be selected next to them on any engine. -#}
{% macro arm_differences() -%}
    {%- set rate_t = '(' ~ safe_divide('conversions_treatment', 'n_treatment') ~ ')' -%}
    {%- set rate_c = '(' ~ safe_divide('conversions_control', 'n_control') ~ ')' -%}
    {%- set pooled = '(' ~ safe_divide('conversions_treatment + conversions_control', 'n_treatment + n_control') ~ ')' -%}
    {%- set mean_var_t = '(' ~ safe_divide('revenue_variance_treatment', 'n_treatment') ~ ')' -%}
    {%- set mean_var_c = '(' ~ safe_divide('revenue_variance_control', 'n_control') ~ ')' -%}
    {{ rate_t }} as conversion_rate_treatment,
    {{ rate_c }} as conversion_rate_control,
    {{ rate_t }} - {{ rate_c }} as conversion_lift_abs,
    sqrt(
        {{ safe_divide(rate_t ~ ' * (1 - ' ~ rate_t ~ ')', 'n_treatment') }}
        + {{ safe_divide(rate_c ~ ' * (1 - ' ~ rate_c ~ ')', 'n_control') }}
    ) as conversion_se_unpooled,
    {{ safe_divide(
        rate_t ~ ' - ' ~ rate_c,
        'sqrt(' ~ pooled ~ ' * (1 - ' ~ pooled ~ ') * (1.0e0 / n_treatment + 1.0e0 / n_control))'
    ) }} as conversion_z,
    revenue_mean_treatment - revenue_mean_control as revenue_diff,
    sqrt({{ mean_var_t }} + {{ mean_var_c }}) as revenue_se,
    {{ safe_divide(
        'power(' ~ mean_var_t ~ ' + ' ~ mean_var_c ~ ', 2)',
        'power(' ~ mean_var_t ~ ', 2) / nullif(n_treatment - 1, 0) + power(' ~ mean_var_c ~ ', 2) / nullif(n_control - 1, 0)'
    ) }} as revenue_degrees_of_freedom
{%- endmacro %}

{#- The two-sided critical values (1 - alpha) from the columns of arm_differences: normal for the
    conversion lift, Student t with Welch's degrees of freedom for revenue per customer (null
    without them). A step of their own so that each is written once: off DuckDB they are long
    SQL approximations (macros/cross_engine/sql_distributions.sql). -#}
{% macro arm_critical_values(alpha) -%}
    {{ normal_quantile(1 - alpha / 2) }} as conversion_critical_value,
    case when revenue_degrees_of_freedom > 0
        then {{ student_t_quantile(1 - alpha / 2, 'revenue_degrees_of_freedom') }}
    end as revenue_critical_value
{%- endmacro %}

{#- Confidence intervals (1 - alpha) and two-sided p-values from the columns of arm_differences
    and arm_critical_values, null for revenue when an arm has too few customers (or no spread)
    for Welch's degrees of freedom. 2 * P(Z <= -|z|) keeps precision for tiny p-values, unlike
    2 * (1 - P(Z <= |z|)). -#}
{% macro arm_tests() -%}
    conversion_lift_abs - conversion_critical_value * conversion_se_unpooled as conversion_ci_low,
    conversion_lift_abs + conversion_critical_value * conversion_se_unpooled as conversion_ci_high,
    2 * {{ normal_cdf('-abs(conversion_z)') }} as conversion_p_value,
    revenue_diff - revenue_critical_value * revenue_se as revenue_ci_low,
    revenue_diff + revenue_critical_value * revenue_se as revenue_ci_high,
    case when revenue_degrees_of_freedom > 0 then
        2 * {{ student_t_cdf('-abs(' ~ safe_divide('revenue_diff', 'revenue_se') ~ ')', 'revenue_degrees_of_freedom') }}
    end as revenue_p_value
{%- endmacro %}

{#- The three steps over a relation or CTE with the standard arm columns: its columns, then those
    of arm_differences, arm_critical_values and arm_tests. -#}
{% macro arm_comparison(rows, alpha) -%}
    select
        *,
        {{ arm_tests() }}
    from (
        select
            *,
            {{ arm_critical_values(alpha) }}
        from (
            select
                *,
                {{ arm_differences() }}
            from {{ rows }}
        ) as differences
    ) as critical_values
{%- endmacro %}
