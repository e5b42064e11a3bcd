{# A SQL literal naming the input a build reads (mode, path or schema, sample seed and size), hashed. #}
{% macro input_fingerprint() -%}
    {#- Stored on every row of the incremental models: rows from another input must never be
        merged with this one's (assert_same_input). Daily growth of one input keeps it. -#}
    {%- set mode = setting('input') -%}
    {%- if mode == 'sample' -%}
        {%- set identity = [mode, setting('sample_customers'), setting('sample_seed'),
                            setting('sample_start_date')] -%}
    {%- elif mode == 'tables' -%}
        {#- The target's own database is the default: the same schema on another engine or
            warehouse is the same input. -#}
        {%- set identity = [mode, setting('input_database'), setting('input_schema')] -%}
    {%- else -%}
        {%- set identity = [mode, setting('input_path')] -%}
    {%- endif -%}
    {{ return("'" ~ local_md5(identity | join('|')) ~ "'") }}
{%- endmacro %}
