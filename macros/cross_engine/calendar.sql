{#- The first day of the month of a date, as a date (date_trunc returns a timestamp on PostgreSQL
    and Spark, and `::date` is not Spark syntax). -#}
{% macro month_of(date_expression) -%}
    cast({{ dbt.date_trunc('month', date_expression) }} as date)
{%- endmacro %}

{#- Whole calendar months from one date's month to another's: dbt.datediff by month is off by one
    at month ends on Spark (it rounds months_between), so the month numbers are subtracted. -#}
{% macro month_diff(start_expression, end_expression) -%}
    cast(
        (extract(year from {{ end_expression }}) - extract(year from {{ start_expression }})) * 12
        + extract(month from {{ end_expression }}) - extract(month from {{ start_expression }})
        as {{ dbt.type_bigint() }}
    )
{%- endmacro %}

{#- ISO day of the week of a date: 1 = Monday ... 7 = Sunday. Spark's dayofweek starts on Sunday. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    cast(extract(isodow from {{ date_expression }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    cast(mod(dayofweek({{ date_expression }}) + 5, 7) + 1 as bigint)
{%- endmacro %}

{#- Days from one date to another, as a bigint (dbt.datediff gives integer on PostgreSQL). -#}
{% macro day_diff(start_expression, end_expression) -%}
    cast({{ dbt.datediff(start_expression, end_expression, 'day') }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A date some days after another (negative: before), as a date on every engine. -#}
{% macro add_days(date_expression, days) -%}
    cast({{ dbt.dateadd('day', days, date_expression) }} as date)
{%- endmacro %}

{#- English month and day names (January, Monday): monthname and dayname are DuckDB's. -#}
{% macro month_name(date_expression) -%}
    {{ return(adapter.dispatch('month_name')(date_expression)) }}
{%- endmacro %}

{% macro default__month_name(date_expression) -%}
    monthname({{ date_expression }})
{%- endmacro %}

{% macro postgres__month_name(date_expression) -%}
    to_char({{ date_expression }}, 'FMMonth')
{%- endmacro %}

{% macro spark__month_name(date_expression) -%}
    date_format({{ date_expression }}, 'MMMM')
{%- endmacro %}

{% macro day_name(date_expression) -%}
    {{ return(adapter.dispatch('day_name')(date_expression)) }}
{%- endmacro %}

{% macro default__day_name(date_expression) -%}
    dayname({{ date_expression }})
{%- endmacro %}

{% macro postgres__day_name(date_expression) -%}
    to_char({{ date_expression }}, 'FMDay')
{%- endmacro %}

{% macro spark__day_name(date_expression) -%}
    date_format({{ date_expression }}, 'EEEE')
{%- endmacro %}
