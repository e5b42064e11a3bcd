{# Planted effect of the sample's discount test: treatment spend per conversion / control spend. #}
{% macro sample_ab_spend_ratio() -%}
    0.8
{%- endmacro %}
