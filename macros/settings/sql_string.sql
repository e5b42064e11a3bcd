{# Any text as a quoted SQL string literal, escaped for the engine: how user text reaches SQL. #}
{% macro sql_string(text) -%}
    {{ return(adapter.dispatch('sql_string')(text)) }}
{%- endmacro %}

{% macro default__sql_string(text) -%}
    {{ return("'" ~ (text | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}

{#- Spark reads backslash escapes inside string literals, so backslashes are escaped too. -#}
{% macro spark__sql_string(text) -%}
    {{ return("'" ~ (text | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'") }}
{%- endmacro %}
