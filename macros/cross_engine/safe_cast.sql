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
    {{ pattern_safe_cast(expression, type_name, 'text', '~', 'numeric') }}
{%- endmacro %}

{% macro spark__safe_cast(expression, type_name) -%}
    {{ pattern_safe_cast(expression, type_name, 'string', 'rlike', 'decimal(38, 9)') }}
{%- endmacro %}

{#- safe_cast on engines without try_cast: the text must have the type's shape (safe_cast_pattern,
    matched with `match_operator`); integers go through the exact type `exact_type` and must be
    whole and in range, since a plain cast there raises (PostgreSQL) or wraps around (Spark's
    non-ANSI cast) where DuckDB's try_cast gives null. -#}
{% macro pattern_safe_cast(expression, type_name, text_type, match_operator, exact_type) -%}
    {%- set text = 'trim(cast(' ~ expression ~ ' as ' ~ text_type ~ '))' -%}
    {%- if type_name in ('bigint', 'integer') -%}
        {%- set exact = 'cast(' ~ text ~ ' as ' ~ exact_type ~ ')' -%}
        {%- set limit = 2147483647 if type_name == 'integer' else 9223372036854775807 -%}
        case
            when {{ text }} {{ match_operator }} '{{ safe_cast_pattern('double') }}'
                and {{ exact }} = floor({{ exact }})
                and {{ exact }} between -{{ limit }} - 1 and {{ limit }}
                then cast({{ exact }} as {{ type_name }})
        end
    {%- else -%}
        case
            when lower({{ text }}) {{ match_operator }} '{{ safe_cast_pattern(type_name) }}'
                then cast({{ text }} as {{ engine_type(type_name) }})
        end
    {%- endif -%}
{%- endmacro %}
