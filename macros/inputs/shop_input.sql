{# The relation a raw input (customers, orders, campaigns, campaign_contacts, ...) is read from, per var input. #}
{% macro shop_input(entity) -%}
    {%- set mode = setting('input') -%}
    {%- if mode == 'sample' -%}
        {%- if entity == 'purchase_summaries' -%}
            {{ empty_input(entity) }} as empty_rows
        {%- else -%}
            (
                select
                    *,
                    cast(null as bigint) as source_row_number,
                    cast(null as {{ dbt.type_string() }}) as source_row_issue
                from {{ ref('sample_' ~ entity) }}
            ) as sample_rows
        {%- endif -%}
    {%- elif mode in ('files', 'tables') -%}
        {{ contract_input(entity) }} as input_rows
    {%- elif mode == 'marketing_campaign' -%}
        {{ marketing_campaign_input(entity) }} as input_rows
    {%- endif -%}
{%- endmacro %}
