{# The product categories of the contract (Customer Personality Analysis spend columns). #}
{% macro product_categories() -%}
    {{ return(['wines', 'meat', 'fruits', 'fish', 'sweets', 'gold']) }}
{%- endmacro %}
