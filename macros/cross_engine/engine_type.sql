{#- The engine's name for a portable type name. dbt.type_float() is 32-bit on some engines, so
    double precision is spelled out; text is varchar, text and string. -#}
{% macro engine_type(type_name) -%}
    {{ return(adapter.dispatch('engine_type')(type_name)) }}
{%- endmacro %}

{% macro default__engine_type(type_name) -%}
    {{ return(type_name) }}
{%- endmacro %}

{% macro postgres__engine_type(type_name) -%}
    {{ return({'double': 'double precision', 'varchar': 'text'}.get(type_name, type_name)) }}
{%- endmacro %}

{% macro spark__engine_type(type_name) -%}
    {{ return({'varchar': 'string', 'integer': 'int'}.get(type_name, type_name)) }}
{%- endmacro %}
