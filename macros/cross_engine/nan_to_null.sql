{#- A double with NaN turned into null. DuckDB and Spark return NaN where a statistic is undefined
    (corr of a constant column); PostgreSQL returns null, and nullif on NaN is how it spells the
    same thing. -#}
{% macro nan_to_null(expression) -%}
    {{ return(adapter.dispatch('nan_to_null')(expression)) }}
{%- endmacro %}

{% macro default__nan_to_null(expression) -%}
    case when not isnan({{ expression }}) then {{ expression }} end
{%- endmacro %}

{% macro postgres__nan_to_null(expression) -%}
    nullif({{ expression }}, cast('NaN' as double precision))
{%- endmacro %}
