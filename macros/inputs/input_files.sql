{# The input files in var input_path, by input name, matched case-insensitively; an error if there are none. #}
{% macro input_files() -%}
    {%- set folder = setting('input_path') -%}
    {%- if folder is none -%}
        {{ exceptions.raise_compiler_error(
            "var input_path is required with input: files (a folder holding customers, orders, "
            ~ "campaigns and campaign_contacts files)"
        ) }}
    {%- endif -%}
    {%- set folder = folder.rstrip('/') or '/' -%}
    {%- set listing = run_query(
        'select file from glob(' ~ sql_string(folder.rstrip('/') ~ '/*') ~ ') order by file'
    ).columns[0].values() | list -%}
    {%- if listing | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var input_path: the folder '" ~ folder ~ "' does not exist or is empty (relative "
            ~ "paths start at the project root)."
        ) }}
    {%- endif -%}
    {%- set pattern = '^(customers|orders|campaigns|campaign_contacts)[.]((csv|tsv|txt)([.]gz)?|parquet)$' -%}
    {%- set found = {} -%}
    {%- for file in listing -%}
        {%- set match = modules.re.match(pattern, file.split('/')[-1] | lower) -%}
        {%- if match -%}
            {%- do found.update({match.group(1): found.get(match.group(1), []) + [file]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error(
            "var input_path: no input found in '" ~ folder ~ "'. Looked for customers, orders, "
            ~ "campaigns and campaign_contacts as .csv, .tsv, .txt (each optionally .gz) or "
            ~ ".parquet, in any letter case. Files there: "
            ~ (listing[:10] | map('replace', folder ~ '/', '') | join(', '))
            ~ (' ...' if listing | length > 10 else '') ~ "."
        ) }}
    {%- endif -%}
    {%- for entity, files in found.items() if files | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Input '" ~ entity ~ "': several files match in '" ~ folder ~ "': "
            ~ files | join(', ') ~ ". Keep one."
        ) }}
    {%- endfor -%}
    {%- set chosen = {} -%}
    {%- for entity, files in found.items() -%}
        {%- do chosen.update({entity: files[0]}) -%}
    {%- endfor -%}
    {{ return(chosen) }}
{%- endmacro %}
