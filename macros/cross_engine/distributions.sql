{#- Distribution functions for the A/B test readout. On DuckDB they call the scipy-backed UDFs of
    python_udfs/ (exact); PostgreSQL and Spark have no such functions, so there they are closed-form
    SQL approximations, in doubles (Spark's decimal arithmetic would round them):
    - normal_cdf: Numerical Recipes' erfc, relative error below 1.2e-7 even in the tails;
    - normal_quantile: Acklam's rational approximation, relative error below 1.2e-9;
    - student_t_cdf: Peizer-Pratt's normal transform, absolute error below 1e-6 from 100 degrees
      of freedom (1e-3 from 5); A/B tests have hundreds or thousands;
    - student_t_quantile: Cornish-Fisher expansion to 1/df^4; relative error at p = 0.975 (the
      95% interval) 3.6e-6 at 10 degrees of freedom, 1.4e-8 at 30, below 1e-9 from 100, and in
      the tails 6e-7 at p = 0.999 and 30 degrees of freedom;
    - chi_square_sf: exact finite series for 1-10 degrees of freedom (arms - 1), Wilson-Hilferty
      beyond.
    The approximations are in sql_distributions.sql;
    tests/marts/campaigns/assert_distribution_macros_pin_scipy_values pins them on every engine. -#}

{% macro normal_cdf(x) -%}
    {{ return(adapter.dispatch('normal_cdf')(x)) }}
{%- endmacro %}

{% macro default__normal_cdf(x) -%}
    normal_cdf({{ x }})
{%- endmacro %}

{% macro postgres__normal_cdf(x) -%}
    {{ sql_normal_cdf(x) }}
{%- endmacro %}

{% macro spark__normal_cdf(x) -%}
    {{ sql_normal_cdf(x) }}
{%- endmacro %}

{% macro normal_quantile(p) -%}
    {{ return(adapter.dispatch('normal_quantile')(p)) }}
{%- endmacro %}

{% macro default__normal_quantile(p) -%}
    normal_quantile({{ p }})
{%- endmacro %}

{% macro postgres__normal_quantile(p) -%}
    {{ sql_normal_quantile(p) }}
{%- endmacro %}

{% macro spark__normal_quantile(p) -%}
    {{ sql_normal_quantile(p) }}
{%- endmacro %}

{% macro student_t_cdf(t, df) -%}
    {{ return(adapter.dispatch('student_t_cdf')(t, df)) }}
{%- endmacro %}

{% macro default__student_t_cdf(t, df) -%}
    student_t_cdf({{ t }}, {{ df }})
{%- endmacro %}

{% macro postgres__student_t_cdf(t, df) -%}
    {{ sql_student_t_cdf(t, df) }}
{%- endmacro %}

{% macro spark__student_t_cdf(t, df) -%}
    {{ sql_student_t_cdf(t, df) }}
{%- endmacro %}

{% macro student_t_quantile(p, df) -%}
    {{ return(adapter.dispatch('student_t_quantile')(p, df)) }}
{%- endmacro %}

{% macro default__student_t_quantile(p, df) -%}
    student_t_quantile({{ p }}, {{ df }})
{%- endmacro %}

{% macro postgres__student_t_quantile(p, df) -%}
    {{ sql_student_t_quantile(p, df) }}
{%- endmacro %}

{% macro spark__student_t_quantile(p, df) -%}
    {{ sql_student_t_quantile(p, df) }}
{%- endmacro %}

{% macro chi_square_sf(x, df) -%}
    {{ return(adapter.dispatch('chi_square_sf')(x, df)) }}
{%- endmacro %}

{% macro default__chi_square_sf(x, df) -%}
    chi_square_sf({{ x }}, {{ df }})
{%- endmacro %}

{% macro postgres__chi_square_sf(x, df) -%}
    {{ sql_chi_square_sf(x, df) }}
{%- endmacro %}

{% macro spark__chi_square_sf(x, df) -%}
    {{ sql_chi_square_sf(x, df) }}
{%- endmacro %}
