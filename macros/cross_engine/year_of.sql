{#- Calendar year of a date as a bigint on every engine. DuckDB's year()
    does not exist on Postgres, and extract() returns numeric there and
    integer on Spark, so the cast keeps column types (and contracts) equal. -#}
{% macro year_of(date_expression) -%}
    cast(extract(year from {{ date_expression }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- Month of the year (1-12) of a date as a bigint on every engine (DuckDB's month()). -#}
{% macro month_number(date_expression) -%}
    cast(extract(month from {{ date_expression }}) as {{ dbt.type_bigint() }})
{%- endmacro %}
