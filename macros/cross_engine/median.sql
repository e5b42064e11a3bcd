{#- The median of a column (the mean of the middle two for an even count), per group. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro postgres__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{#- A number as a double on every engine: integer division truncates on PostgreSQL, and Spark's
    decimal arithmetic rounds to 6 decimals, so ratios and statistics are computed in doubles. -#}
{% macro as_double(expression) -%}
    cast({{ expression }} as {{ engine_type('double') }})
{%- endmacro %}
