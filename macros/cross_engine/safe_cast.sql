{#- Cast that yields null instead of failing on a value of the wrong shape, on every engine.
    dbt.safe_cast is a plain cast on DuckDB and PostgreSQL (it raises on bad input); for '1.5'
    as an integer DuckDB's try_cast rounds to 2 and Spark's non-ANSI cast truncates to 1. Here a
    fractional value is never an integer and a whole one written as '1.0' or '1e3' is: DuckDB keeps
    try_cast when the value survives as a double unchanged (cheaper than a pattern on millions of
    typed ids); PostgreSQL and Spark check the text shape by pattern and go through an exact
    decimal. Only DuckDB also reads hexadecimal ('0x10') and digit separators ('1_000').
    tests/staging/shop pins the cases on every engine.
    type_name: bigint, integer, double or boolean (dates: parse_date). -#}
{% macro safe_cast(expression, type_name) -%}
    {{ return(adapter.dispatch('safe_cast')(expression, type_name)) }}
{%- endmacro %}

{% macro default__safe_cast(expression, type_name) -%}
    {%- if type_name in ('bigint', 'integer') -%}
        case
            when try_cast({{ expression }} as double) = try_cast({{ expression }} as {{ type_name }})
                then try_cast({{ expression }} as {{ type_name }})
        end
    {%- else -%}
        try_cast({{ expression }} as {{ type_name }})
    {%- endif -%}
{%- endmacro %}

{#- The text shapes the pattern-checked casts accept (the same ones DuckDB's try_cast does). -#}
{% macro safe_cast_pattern(type_name) -%}
    {%- if type_name in ('bigint', 'integer') -%}
        {{ return('^[+-]?[0-9]+$') }}
    {%- elif type_name == 'double' -%}
        {{ return('^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
    {%- elif type_name == 'boolean' -%}
        {{ return('^(true|false|t|f|1|0)$') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro postgres__safe_cast(expression, type_name) -%}
    {%- set text = 'trim(cast(' ~ expression ~ ' as text))' -%}
    {%- if type_name in ('bigint', 'integer') -%}
        case
            {#- Out of the type's range a cast raises here; DuckDB's try_cast gives null. -#}
            {%- set limit = 2147483647 if type_name == 'integer' else 9223372036854775807 %}
            when {{ text }} ~ '{{ safe_cast_pattern('double') }}'
                and cast({{ text }} as numeric) = trunc(cast({{ text }} as numeric))
                and cast({{ text }} as numeric) between -{{ limit }} - 1 and {{ limit }}
                then cast(cast({{ text }} as numeric) as {{ type_name }})
        end
    {%- else -%}
        case
            when lower({{ text }}) ~ '{{ safe_cast_pattern(type_name) }}'
                then cast({{ text }} as {{ engine_type(type_name) }})
        end
    {%- endif -%}
{%- endmacro %}

{% macro spark__safe_cast(expression, type_name) -%}
    {%- set text = 'trim(cast(' ~ expression ~ ' as string))' -%}
    {%- if type_name in ('bigint', 'integer') -%}
        case
            {#- Out of range, Spark's non-ANSI cast wraps around instead of failing. -#}
            {%- set limit = 2147483647 if type_name == 'integer' else 9223372036854775807 %}
            when {{ text }} rlike '{{ safe_cast_pattern('double') }}'
                and cast({{ text }} as decimal(38, 9)) = floor(cast({{ text }} as decimal(38, 9)))
                and cast({{ text }} as decimal(38, 9)) between -{{ limit }} - 1 and {{ limit }}
                then cast(cast({{ text }} as decimal(38, 9)) as {{ type_name }})
        end
    {%- else -%}
        case
            when lower({{ text }}) rlike '{{ safe_cast_pattern(type_name) }}'
                then cast({{ text }} as {{ engine_type(type_name) }})
        end
    {%- endif -%}
{%- endmacro %}
