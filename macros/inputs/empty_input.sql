{# A zero-row relation with every contract column of an input (as text), for inputs that are absent. #}
{% macro empty_input(entity) -%}
    {%- set contract = input_contract()[entity] -%}
    (
        select
            {% for column in contract.required + contract.optional -%}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
            {% endfor -%}
            cast(null as bigint) as source_row_number,
            cast(null as {{ dbt.type_string() }}) as source_row_issue
        where false
    )
{%- endmacro %}
