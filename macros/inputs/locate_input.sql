{# Where input `entity` is in files or tables mode: {'reader', 'location', 'columns' or 'relation', 'row_issue'}, or none. #}
{% macro locate_input(entity) -%}
    {%- if setting('input') == 'tables' -%}
        {%- set relation = adapter.get_relation(
            database=setting('input_database') or target.get('database'),
            schema=setting('input_schema'),
            identifier=entity
        ) -%}
        {%- if relation is none -%}
            {{ return(none) }}
        {%- endif -%}
        {{ return({'reader': relation | string, 'location': 'table ' ~ relation, 'relation': relation}) }}
    {%- endif -%}
    {%- set path = input_files().get(entity) -%}
    {%- if path is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if path.lower().endswith('.parquet') -%}
        {{ return({'reader': 'read_parquet(' ~ sql_string(path) ~ ')', 'location': 'file ' ~ path}) }}
    {%- endif -%}
    {{ return(delimited_file_reader(path)) }}
{%- endmacro %}
