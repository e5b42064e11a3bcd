-- Assert that the distribution macros agree with scipy on every engine: exact UDFs on DuckDB,
-- the SQL approximations of macros/cross_engine/distributions.sql on PostgreSQL and Spark, each
-- within the accuracy that file documents. Expected values are scipy.stats' (1.17). Tagged
-- cross_engine so the engine comparison (pytest -m engines) runs it on every engine.
{{ config(tags=['cross_engine']) }}

with

cases as (
    select
        'normal_cdf at -1.96' as case_name,
        abs({{ normal_cdf('-1.96') }} / 0.024997895148220435 - 1) < 2e-07 as is_right
    union all
    select
        'normal_cdf far tail' as case_name,
        abs({{ normal_cdf('-6.5') }} / 4.016000583859088e-11 - 1) < 2e-07 as is_right
    union all
    select
        'normal_cdf positive' as case_name,
        abs({{ normal_cdf('0.3') }} / 0.6179114221889526 - 1) < 2e-07 as is_right
    union all
    select
        'normal_quantile central' as case_name,
        abs({{ normal_quantile('0.975') }} / 1.959963984540054 - 1) < 1e-08 as is_right
    union all
    select
        'normal_quantile low tail' as case_name,
        abs({{ normal_quantile('0.001') }} / -3.090232306167813 - 1) < 1e-08 as is_right
    union all
    select
        'normal_quantile high tail' as case_name,
        abs({{ normal_quantile('0.9995') }} / 3.2905267314919255 - 1) < 1e-08 as is_right
    union all
    select
        'student_t_cdf 200 df' as case_name,
        abs({{ student_t_cdf('-2.1', '200') }} - 0.018491318590419505) < 1e-06 as is_right
    union all
    select
        'student_t_cdf 2500.5 df' as case_name,
        abs({{ student_t_cdf('-3.3', '2500.5') }} - 0.0004902099369467441) < 1e-07 as is_right
    union all
    select
        'student_t_quantile 50 df' as case_name,
        abs({{ student_t_quantile('0.975', '50') }} / 2.008559112100761 - 1) < 1e-07 as is_right
    union all
    select
        'student_t_quantile 1000 df' as case_name,
        abs({{ student_t_quantile('0.975', '1000') }} / 1.9623390808264083 - 1) < 1e-08 as is_right
    union all
    select
        'chi_square_sf 1 df' as case_name,
        abs({{ chi_square_sf('3.2', '1') }} / 0.07363827012030258 - 1) < 1e-06 as is_right
    union all
    select
        'chi_square_sf 2 df' as case_name,
        abs({{ chi_square_sf('3.2', '2') }} / 0.2018965179946554 - 1) < 1e-06 as is_right
    union all
    select
        'chi_square_sf 3 df' as case_name,
        abs({{ chi_square_sf('7.5', '3') }} / 0.0575584519726364 - 1) < 1e-06 as is_right
    union all
    select
        'chi_square_sf 6 df' as case_name,
        abs({{ chi_square_sf('4.0', '6') }} / 0.6766764161830634 - 1) < 1e-06 as is_right
    union all
    select
        'chi_square_sf 15 df' as case_name,
        abs({{ chi_square_sf('20.0', '15') }} - 0.17193268937660083) < 0.002 as is_right
)

select case_name
from cases
where not coalesce(is_right, false)
