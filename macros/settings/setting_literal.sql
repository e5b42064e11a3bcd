{# A var's checked value as a SQL literal: null, a number, date 'YYYY-MM-DD' or an escaped string. #}
{% macro setting_literal(name) -%}
    {%- set value = setting(name) -%}
    {%- set kind = setting_rules()[name].kind -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif kind in ('integer', 'number') -%}
        {{ return(value | string) }}
    {%- elif kind == 'boolean' -%}
        {{ return('true' if value else 'false') }}
    {%- elif kind == 'date' -%}
        {{ return('cast(' ~ sql_string(value) ~ ' as date)') }}
    {%- endif -%}
    {{ return(sql_string(value)) }}
{%- endmacro %}
