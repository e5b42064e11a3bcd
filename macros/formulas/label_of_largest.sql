{# The label whose expression is largest, from parallel lists of labels and SQL expressions (first wins ties). #}
{% macro label_of_largest(labels, expressions) -%}
    ['{{ labels | join("', '") }}'][
        list_position([{{ expressions | join(', ') }}], greatest({{ expressions | join(', ') }}))
    ]
{%- endmacro %}
