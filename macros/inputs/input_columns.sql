{# Map lower-cased column name -> actual name of an input (from locate_input), failing on missing required columns. #}
{% macro input_columns(located, required, input_name) -%}
    {%- set present = {} -%}
    {%- if located.columns is defined -%}
        {#- A delimited file: the names of its header line. -#}
        {%- for name in located.columns -%}
            {%- do present.update({name | lower: name}) -%}
        {%- endfor -%}
    {%- elif located.relation is defined -%}
        {#- A table: the adapter's catalog, which works on every engine. -#}
        {%- for column in adapter.get_columns_in_relation(located.relation) -%}
            {%- do present.update({column.name | lower: column.name}) -%}
        {%- endfor -%}
    {%- else -%}
        {#- A Parquet file: only DuckDB reads files, so DuckDB's describe. -#}
        {%- for row in run_query('describe select * from ' ~ located.reader) -%}
            {%- do present.update({row['column_name'] | lower: row['column_name']}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for column in required -%}
        {%- if column | lower not in present -%}{%- do missing.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "Input '" ~ input_name ~ "' (" ~ located.location ~ ") is missing required column(s): "
            ~ missing | join(', ') ~ ". Columns found: " ~ present.values() | list | join(', ') ~ "."
        ) }}
    {%- endif -%}
    {{ return(present) }}
{%- endmacro %}
