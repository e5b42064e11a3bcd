{# The purchase channels of the contract (Customer Personality Analysis purchase counts). #}
{% macro purchase_channels() -%}
    {{ return(['web', 'catalog', 'store']) }}
{%- endmacro %}
