{#- The position of a row in its input, for stable duplicate resolution and reject messages.
    Spark numbers rows only over an ordered window; monotonically_increasing_id follows the
    order rows are read in, as row_number() over () does on DuckDB and PostgreSQL. -#}
{% macro source_row_number() -%}
    {{ return(adapter.dispatch('source_row_number')()) }}
{%- endmacro %}

{% macro default__source_row_number() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__source_row_number() -%}
    row_number() over (order by monotonically_increasing_id())
{%- endmacro %}
