{# Planted effect of the sample's discount test: absolute conversion lift of the treatment arm. #}
{% macro sample_ab_lift() -%}
    0.04
{%- endmacro %}
