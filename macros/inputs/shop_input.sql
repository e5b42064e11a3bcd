{# The relation a raw input (customers, orders, campaigns, campaign_contacts) is read from, per var input. #}
{% macro shop_input(entity) -%}
    {%- set mode = var('input', 'sample') -%}
    {%- if mode == 'sample' -%}
        {{ ref('sample_' ~ entity) }}
    {%- elif mode == 'tables' -%}
        {{ source('shop', entity) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Unknown var input='" ~ mode ~ "'. Use one of: sample, tables."
        ) }}
    {%- endif -%}
{%- endmacro %}
