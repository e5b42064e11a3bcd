{# The relation a raw input (customers, orders, campaigns, campaign_contacts, ...) is read from, per var input. #}
{% macro shop_input(entity) -%}
    {%- set mode = var('input', 'sample') -%}
    {%- if mode == 'sample' -%}
        {%- if entity == 'purchase_summaries' -%}
            {{ empty_input(entity) }} as empty_rows
        {%- else -%}
            (select *, cast(null as bigint) as source_row_number from {{ ref('sample_' ~ entity) }}) as sample_rows
        {%- endif -%}
    {%- elif mode in ('files', 'tables') -%}
        {{ contract_input(entity) }} as input_rows
    {%- elif mode == 'marketing_campaign' -%}
        {{ marketing_campaign_input(entity) }} as input_rows
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Unknown var input='" ~ mode ~ "'. Use one of: sample, files, tables, marketing_campaign."
        ) }}
    {%- endif -%}
{%- endmacro %}
