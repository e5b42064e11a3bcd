{#- The columns of a relation except some, comma-separated: `select * exclude (...)` is DuckDB
    only. Reads the built relation's columns, so it is only exact at execution time. -#}
{% macro star_except(relation, except) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set excluded = except | map('lower') | list -%}
    {%- set kept = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | lower not in excluded -%}
            {%- do kept.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(kept | join(',\n        ') if kept else '*') }}
{%- endmacro %}
