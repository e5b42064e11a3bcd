{#- The extra columns of the customers input (files or tables mode): every column the contract
    does not name, as [{'name': SQL-safe lower-case name, 'column': its name in the input}]. The
    response and uplift models use them as customer attributes. Names reach SQL only in the safe
    form ([a-z0-9_], starting with a letter) or quoted by the adapter. -#}
{% macro customer_attributes() -%}
    {%- if not execute or setting('input') not in ('files', 'tables') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set located = locate_input('customers') -%}
    {%- if located is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set contract = input_contract()['customers'] -%}
    {%- set known = contract.required + contract.optional + ['source_row_number', 'source_row_issue'] -%}
    {%- set present = input_columns(located, contract.required, 'customers') -%}
    {%- set attributes = [] -%}
    {%- set taken = [] -%}
    {%- for lowered, column in present.items() -%}
        {%- if lowered not in known and not lowered.startswith('__') -%}
            {%- set safe = modules.re.sub('[^a-z0-9]+', '_', lowered).strip('_')[:50] -%}
            {%- if not safe or not modules.re.match('^[a-z]', safe) -%}
                {%- set safe = 'column_' ~ safe -%}
            {%- endif -%}
            {%- if safe in taken -%}
                {%- set safe = safe ~ '_' ~ loop.index -%}
            {%- endif -%}
            {%- do taken.append(safe) -%}
            {%- do attributes.append({'name': safe, 'column': column}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(attributes) }}
{%- endmacro %}
