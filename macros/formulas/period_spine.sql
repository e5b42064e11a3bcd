{# One row per period (day, week, month) from start to end inclusive, bounds being SQL expressions. #}
{% macro period_spine(datepart, start_expression, end_expression) -%}
    {#- dbt.date_spine counts its periods with a query at compile time, so its bounds cannot come
        from the model's own CTEs. This spine is evaluated in the query. Dispatched per adapter. -#}
    {{ return(adapter.dispatch('period_spine')(datepart, start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__period_spine(datepart, start_expression, end_expression) -%}
    select cast(unnest(generate_series(
        cast({{ start_expression }} as date),
        cast({{ end_expression }} as date),
        interval 1 {{ datepart }}
    )) as date) as period_start
{%- endmacro %}

{% macro postgres__period_spine(datepart, start_expression, end_expression) -%}
    select cast(generate_series(
        cast({{ start_expression }} as date),
        cast({{ end_expression }} as date),
        interval '1 {{ datepart }}'
    ) as date) as period_start
{%- endmacro %}

{% macro spark__period_spine(datepart, start_expression, end_expression) -%}
    select explode(sequence(
        cast({{ start_expression }} as date),
        cast({{ end_expression }} as date),
        interval 1 {{ datepart }}
    )) as period_start
{%- endmacro %}
