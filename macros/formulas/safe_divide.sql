{# Division that yields null instead of an error or infinity when the denominator is 0 or null. #}
{% macro safe_divide(numerator, denominator) -%}
    {#- In doubles on every engine: PostgreSQL divides integers to an integer. -#}
    {{ as_double(numerator) }} / nullif({{ denominator }}, 0)
{%- endmacro %}
