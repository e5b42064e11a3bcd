{# Post-hook of every mart: with var export_parquet, write the mart to <export_path>/<mart>.parquet. #}
{% macro export_mart_to_parquet() %}
    {%- if setting('export_parquet') -%}
        {%- set folder = setting('export_path').rstrip('/') -%}
        select make_directory({{ sql_string(folder) }});
        copy {{ this }} to {{ sql_string(folder ~ '/' ~ this.identifier ~ '.parquet') }} (format parquet)
    {%- endif -%}
{% endmacro %}
