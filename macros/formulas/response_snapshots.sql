{# The snapshots of int_response_snapshots, in the order their features are computed. #}
{% macro response_snapshots() -%}
    {{ return(['train', 'experiment', 'score']) }}
{%- endmacro %}
