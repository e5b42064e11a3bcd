{# An input in the canonical contract from a file or table: absent optional columns null or derived. #}
{% macro contract_input(entity) -%}
    {%- set contract = input_contract()[entity] -%}
    {%- if not execute or entity == 'purchase_summaries' -%}
        {{ return(empty_input(entity)) }}
    {%- endif -%}
    {%- set located = locate_input(entity) -%}
    {%- if located is none -%}
        {{ return(derived_input(entity)) }}
    {%- endif -%}
    {%- set present = input_columns(located, contract.required, entity) -%}
    (
        select
            {% for column in contract.required + contract.optional -%}
            {%- if column in present -%}
            {{ adapter.quote(present[column]) }} as {{ column }},
            {%- elif entity == 'orders' and column == 'order_id' -%}
            -- No order ids in the input: one per line, from its position.
            'row-' || cast(source_row_number as {{ dbt.type_string() }}) as order_id,
            {%- else -%}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
            {%- endif %}
            {% endfor -%}
            {%- if entity == 'customers' -%}
            {%- for attribute in customer_attributes() -%}
            {{ adapter.quote(attribute.column) }} as attribute__{{ attribute.name }},
            {% endfor -%}
            {%- endif -%}
            source_row_number,
            source_row_issue
        from (
            select
                *,
                {{ source_row_number() }} as source_row_number,
                {{ located.get('row_issue') or 'cast(null as ' ~ dbt.type_string() ~ ')' }}
                    as source_row_issue
            from {{ located.reader }}
        ) as numbered_rows
    )
{%- endmacro %}
