{#- Any value of a column that is constant within the group. PostgreSQL 15 has no any_value, so
    it takes the minimum there and on Spark (deterministic, so the engines agree). -#}
{% macro any_value(expression) -%}
    {{ return(adapter.dispatch('any_value')(expression)) }}
{%- endmacro %}

{% macro default__any_value(expression) -%}
    any_value({{ expression }})
{%- endmacro %}

{% macro postgres__any_value(expression) -%}
    min({{ expression }})
{%- endmacro %}

{% macro spark__any_value(expression) -%}
    min({{ expression }})
{%- endmacro %}
