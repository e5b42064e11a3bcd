{# Sum of the spend_<category> columns; with net_of_negatives, negative (returns-heavy) categories count as 0. #}
{% macro category_spend_total(net_of_negatives=false) -%}
    {%- set terms = [] -%}
    {%- for category in product_categories() -%}
        {%- do terms.append('greatest(spend_' ~ category ~ ', 0)' if net_of_negatives else 'spend_' ~ category) -%}
    {%- endfor -%}
    ({{ terms | join(' + ') }})
{%- endmacro %}
