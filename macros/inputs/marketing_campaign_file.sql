{# The Customer Personality Analysis file named by var input_path; an error naming the path if it is not there. #}
{% macro marketing_campaign_file() -%}
    {%- set path = setting('input_path') -%}
    {%- if path is none -%}
        {{ exceptions.raise_compiler_error(
            "var input_path (the marketing_campaign file) is required with input: marketing_campaign"
        ) }}
    {%- endif -%}
    {%- set matches = run_query('select file from glob(' ~ sql_string(path) ~ ')').columns[0].values() -%}
    {%- if matches | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "var input_path: the marketing_campaign file '" ~ path ~ "' does not exist (relative "
            ~ "paths start at the project root)."
        ) }}
    {%- endif -%}
    {{ return(matches[0]) }}
{%- endmacro %}
