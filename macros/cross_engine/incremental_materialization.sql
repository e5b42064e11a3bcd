{#- 'incremental' where the project's delete+insert strategy exists, 'table' on Spark: Parquet
    tables there support only append and insert_overwrite, so the order models rebuild in full
    (on Delta, merge would do; see README "Running on a bigger engine"). -#}
{% macro incremental_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}
