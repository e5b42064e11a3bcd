-- Assert that the cross-engine macros answer alike on DuckDB, PostgreSQL and Spark: safe_cast
-- turns a value of the wrong shape into null (never an error, never Spark's truncation of '1.5'
-- to 1), and parse_date reads every supported form and nothing else. Tagged cross_engine so the
-- engine comparison (pytest -m engines) runs it on every engine.
{{ config(tags=['cross_engine']) }}

with

cases as (
    select
        'integer text' as case_name,
        {{ safe_cast("'42'", 'bigint') }} = 42 as is_right
    union all
    select
        'decimal text is not a bigint' as case_name,
        {{ safe_cast("'1.5'", 'bigint') }} is null as is_right
    union all
    select
        'whole decimal text is a bigint' as case_name,
        {{ safe_cast("'12.0'", 'bigint') }} = 12 as is_right
    union all
    select
        'exponent text is a bigint' as case_name,
        {{ safe_cast("'1e3'", 'bigint') }} = 1000 as is_right
    union all
    select
        'letters are not a bigint' as case_name,
        {{ safe_cast("'abc'", 'bigint') }} is null as is_right
    union all
    select
        'signed integer' as case_name,
        {{ safe_cast("'-7'", 'integer') }} = -7 as is_right
    union all
    select
        'exponent double' as case_name,
        {{ safe_cast("'2.5e1'", 'double') }} = 25 as is_right
    union all
    select
        'letters are not a double' as case_name,
        {{ safe_cast("'x1'", 'double') }} is null as is_right
    union all
    select
        'true text' as case_name,
        {{ safe_cast("'true'", 'boolean') }} as is_right
    union all
    select
        'other text is not a boolean' as case_name,
        {{ safe_cast("'maybe'", 'boolean') }} is null as is_right
    union all
    select
        'ISO date' as case_name,
        {{ parse_date("'2024-03-05'") }} = cast('2024-03-05' as date) as is_right
    union all
    select
        'ISO timestamp' as case_name,
        {{ parse_date("'2024-03-05 10:30:00'") }} = cast('2024-03-05' as date) as is_right
    union all
    select
        'day-first dashes' as case_name,
        {{ parse_date("'05-03-2024'") }} = cast('2024-03-05' as date) as is_right
    union all
    select
        'day-first slashes' as case_name,
        {{ parse_date("'05/03/2024'") }} = cast('2024-03-05' as date) as is_right
    union all
    select
        'day-first dots' as case_name,
        {{ parse_date("'05.03.2024'") }} = cast('2024-03-05' as date) as is_right
    union all
    select
        'compact' as case_name,
        {{ parse_date("'20240305'") }} = cast('2024-03-05' as date) as is_right
    union all
    select
        'not a date' as case_name,
        {{ parse_date("'not a date'") }} is null as is_right
)

select case_name
from cases
where not coalesce(is_right, false)
