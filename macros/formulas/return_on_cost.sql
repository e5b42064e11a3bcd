{# ROI: (revenue - cost) / cost, null when there is no cost. #}
{% macro return_on_cost(revenue, cost) -%}
    {{ safe_divide('(' ~ revenue ~ ') - (' ~ cost ~ ')', cost) }}
{%- endmacro %}
