{# An id as trimmed text, null when empty: customer, order and campaign ids may be any text. #}
{% macro text_id(expression) -%}
    nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
{%- endmacro %}
