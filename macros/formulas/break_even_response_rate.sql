{# The response rate at which a contact pays for itself: cost per contact / revenue per response. #}
{% macro break_even_response_rate(cost_per_contact, revenue_per_response) -%}
    {{ safe_divide(cost_per_contact, revenue_per_response) }}
{%- endmacro %}
