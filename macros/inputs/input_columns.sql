{# Map lower-cased column name -> actual name of a relation (SQL text), failing on missing required columns. #}
{% macro input_columns(reader, required, input_name, location) -%}
    {%- set present = {} -%}
    {%- for row in run_query('describe select * from ' ~ reader) -%}
        {%- do present.update({row['column_name'] | lower: row['column_name']}) -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for column in required -%}
        {%- if column | lower not in present -%}{%- do missing.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "Input '" ~ input_name ~ "' (" ~ location ~ ") is missing required column(s): "
            ~ missing | join(', ') ~ ". Columns found: " ~ present.values() | list | join(', ') ~ "."
        ) }}
    {%- endif -%}
    {{ return(present) }}
{%- endmacro %}
