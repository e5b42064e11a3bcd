{# In an incremental model: stop unless the rows already loaded came from the input this build reads. #}
{% macro assert_same_input() -%}
    {%- if execute and flags.WHICH in ('run', 'build') and is_incremental() -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name')
                          | map('lower') | list -%}
        {%- set stale = true -%}
        {%- if 'input_fingerprint' in columns -%}
            {%- set other = run_query(
                'select count(*) from ' ~ this ~ ' where input_fingerprint != ' ~ input_fingerprint()
            ).rows[0][0] -%}
            {%- set stale = other > 0 -%}
        {%- endif -%}
        {%- if stale -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ " holds rows loaded from another input (var input, input_path, "
                ~ "input_schema or the sample settings changed since it was built, or it predates "
                ~ "this project version). Rebuild the incremental models once: dbt build --full-refresh"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
