{# A money amount rounded to cents: what a BI tool shows and sums without float artefacts. Marts
   round estimates and averages of money this way; exact totals come from money_sum. #}
{% macro cents(expression) -%}
    round({{ expression }}, 2)
{%- endmacro %}
