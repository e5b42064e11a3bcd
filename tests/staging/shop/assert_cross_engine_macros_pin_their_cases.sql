-- Assert that the cross-engine macros answer alike on DuckDB, PostgreSQL and Spark: safe_cast
-- turns a value of the wrong shape into null (never an error, never Spark's truncation of '1.5'
-- to 1), parse_date reads every supported form and nothing else, month_diff counts calendar
-- months at month ends (where dbt.datediff is off by one on Spark), and the calendar, ratio and
-- median macros give DuckDB's answers. Tagged cross_engine so the engine comparison
-- (pytest -m engines) runs it on every engine.
{{ config(tags=['cross_engine']) }}

with

even_count as (
    select 1 as v
    union all
    select 2 as v
    union all
    select 3 as v
    union all
    select 10 as v
),

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
        'too large for an integer' as case_name,
        {{ safe_cast("'99999999999'", 'integer') }} is null as is_right
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
    union all
    select
        'impossible day is not a date' as case_name,
        {{ parse_date("'2024-02-30'") }} is null as is_right
    union all
    select
        'impossible month is not a date' as case_name,
        {{ parse_date("'31.13.2024'") }} is null as is_right
    union all
    select
        'leap day' as case_name,
        {{ parse_date("'29/02/2024'") }} = cast('2024-02-29' as date) as is_right
    union all
    select
        'no leap day in a century year' as case_name,
        {{ parse_date("'19000229'") }} is null as is_right
    union all
    select
        'month_diff across a month end' as case_name,
        {{ month_diff("date '2024-01-31'", "date '2024-02-01'") }} = 1 as is_right
    union all
    select
        'month_diff within a month' as case_name,
        {{ month_diff("date '2024-01-01'", "date '2024-01-31'") }} = 0 as is_right
    union all
    select
        'month_diff across a year' as case_name,
        {{ month_diff("date '2023-12-31'", "date '2024-03-01'") }} = 3 as is_right
    union all
    select
        'ISO Monday' as case_name,
        {{ iso_day_of_week("date '2024-03-04'") }} = 1 as is_right
    union all
    select
        'ISO Sunday' as case_name,
        {{ iso_day_of_week("date '2024-03-10'") }} = 7 as is_right
    union all
    select
        'month name' as case_name,
        {{ month_name("date '2024-03-05'") }} = 'March' as is_right
    union all
    select
        'day name' as case_name,
        {{ day_name("date '2024-03-05'") }} = 'Tuesday' as is_right
    union all
    select
        'integer ratio is not truncated' as case_name,
        {{ safe_divide('1', '2') }} = 0.5 as is_right
    union all
    select
        'ratio by zero is null' as case_name,
        {{ safe_divide('1', '0') }} is null as is_right
    union all
    select
        'median of an even count' as case_name,
        (select {{ median('v') }} from even_count) = 2.5 as is_right
    union all
    select
        'days between dates' as case_name,
        {{ day_diff("date '2024-02-27'", "date '2024-03-01'") }} = 3 as is_right
    union all
    select
        'days added' as case_name,
        {{ add_days("date '2024-02-28'", 2) }} = date '2024-03-01' as is_right
    union all
    select
        'year as a number' as case_name,
        {{ year_of("date '2024-03-05'") }} = 2024 as is_right
)

select case_name
from cases
where not coalesce(is_right, false)
