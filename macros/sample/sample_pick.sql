{# Pick a label from weighted options with one uniform draw: options are (label, weight column) pairs. #}
{% macro sample_pick(uniform, options) -%}
    {#- Weights need not sum to one: the draw is scaled by their total. -#}
    {%- set total -%}({% for label, weight in options %}{{ weight }}{% if not loop.last %} + {% endif %}{% endfor %}){%- endset -%}
    case
    {%- set running = [] %}
    {%- for label, weight in options %}
        {%- do running.append(weight) %}
        {%- if not loop.last %}
        when {{ uniform }} * {{ total }} < {{ running | join(' + ') }} then '{{ label }}'
        {%- else %}
        else '{{ label }}'
        {%- endif %}
    {%- endfor %}
    end
{%- endmacro %}
