{#- A continuous quantile of a column per group (linear interpolation between the two nearest
    values), for a constant fraction in [0, 1]. -#}
{% macro quantile(expression, fraction) -%}
    {{ return(adapter.dispatch('quantile')(expression, fraction)) }}
{%- endmacro %}

{% macro default__quantile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro postgres__quantile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__quantile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- The median of a column (the mean of the middle two for an even count), per group. -#}
{% macro median(expression) -%}
    {{ quantile(expression, 0.5) }}
{%- endmacro %}

{#- A number as a double on every engine: integer division truncates on PostgreSQL, and Spark's
    decimal arithmetic rounds to 6 decimals, so ratios and statistics are computed in doubles. -#}
{% macro as_double(expression) -%}
    cast({{ expression }} as {{ engine_type('double') }})
{%- endmacro %}
