{# The relation a raw input (customers, orders, campaigns, campaign_contacts, purchase_summaries) is read from, per var input. #}
{% macro shop_input(entity) -%}
    {#- The one router between input modes. It also names the input's dbt source (sources.yml), so
        lineage and docs show where the active mode reads from; the source is not selected from,
        because a file's reader (delimiter, encoding, escaping of the user's path) and an absent
        optional input are decided at run time. purchase_summaries is internal: it comes from the
        Customer Personality Analysis file or is empty. -#}
    {%- set mode = setting('input') -%}
    {%- if mode == 'tables' and entity != 'purchase_summaries' -%}
        {%- do source('shop', entity) -%}
    {%- elif mode == 'files' and entity != 'purchase_summaries' -%}
        {%- do source('shop_files', entity) -%}
    {%- elif mode == 'marketing_campaign' -%}
        {%- do source('personality_analysis', 'marketing_campaign') -%}
    {%- endif -%}
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
