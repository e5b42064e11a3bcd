{# Post-hook of every mart: with var export_parquet, write the mart to <export_path>/<mart>.parquet. #}
{% macro export_mart_to_parquet() %}
    {%- if var('export_parquet', false) -%}
        {%- set folder = var('export_path', 'exports') | replace("'", "''") -%}
        select make_directory('{{ folder }}');
        copy {{ this }} to '{{ folder }}/{{ this.identifier }}.parquet' (format parquet)
    {%- endif -%}
{% endmacro %}
