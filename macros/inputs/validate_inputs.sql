{# on-run-start (via validate_settings): the inputs var input names exist, so a typo can never build empty marts. #}
{% macro validate_inputs() -%}
    {%- set mode = setting('input') -%}
    {%- if mode == 'files' -%}
        {%- set _ = input_files() -%}
    {%- elif mode == 'marketing_campaign' -%}
        {%- set _ = marketing_campaign_file() -%}
    {%- elif mode == 'tables' -%}
        {%- set entities = ['customers', 'orders', 'campaigns', 'campaign_contacts'] -%}
        {%- set found = [] -%}
        {%- for entity in entities if locate_input(entity) is not none -%}
            {%- do found.append(entity) -%}
        {%- endfor -%}
        {%- if not found -%}
            {{ exceptions.raise_compiler_error(
                "var input_schema: none of the tables " ~ entities | join(', ') ~ " is in schema "
                ~ setting('input_schema') ~ " of database "
                ~ (setting('input_database') or target.get('database')) ~ "."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
