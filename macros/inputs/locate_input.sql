{# Where input `entity` is in files or tables mode: {'reader': SQL to read it, 'location': for messages}, or none. #}
{% macro locate_input(entity) -%}
    {%- if var('input') == 'tables' -%}
        {%- set relation = adapter.get_relation(
            database=var('input_database', target.get('database')),
            schema=var('input_schema', 'raw'),
            identifier=entity
        ) -%}
        {%- if relation is none -%}
            {{ return(none) }}
        {%- endif -%}
        {{ return({'reader': relation | string, 'location': 'table ' ~ relation, 'relation': relation}) }}
    {%- endif -%}
    {%- set directory = var('input_path', none) -%}
    {%- if directory is none -%}
        {{ exceptions.raise_compiler_error(
            "var input_path is required with input: files (a folder holding customers, orders, "
            ~ "campaigns and campaign_contacts as .csv or .parquet)"
        ) }}
    {%- endif -%}
    {%- set found = run_query(
        "select file from glob('" ~ directory ~ "/" ~ entity ~ ".*') "
        ~ "where lower(file) similar to '.*\\.(csv|tsv|txt|parquet)' order by file"
    ).columns[0].values() -%}
    {%- if found | length == 0 -%}
        {{ return(none) }}
    {%- elif found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Input '" ~ entity ~ "': several files match in " ~ directory ~ ": "
            ~ found | join(', ') ~ ". Keep one."
        ) }}
    {%- endif -%}
    {%- set path = found[0] -%}
    {%- if path.lower().endswith('.parquet') -%}
        {{ return({'reader': "read_parquet('" ~ path ~ "')", 'location': 'file ' ~ path}) }}
    {%- endif -%}
    {#- Text, so that a bad value becomes a rejected row instead of failing the whole read; the
        sniffer finds comma, semicolon or tab. -#}
    {{ return({
        'reader': "read_csv('" ~ path ~ "', all_varchar = true, header = true)",
        'location': 'file ' ~ path,
    }) }}
{%- endmacro %}
