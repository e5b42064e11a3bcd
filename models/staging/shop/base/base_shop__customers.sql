{#- Every raw customer row, typed, with the reason it cannot be used (null when it can). -#}

with

source_rows as (
    select * from {{ shop_input('customers') }}
),

typed as (
    select
        {{ text_id('customer_id') }} as customer_id,
        cast(customer_id as {{ dbt.type_string() }}) as source_key,
        {{ parse_date('signup_date') }} as signup_date,
        {{ safe_cast('birth_year', 'integer') }} as birth_year,
        nullif(trim(cast(gender as {{ dbt.type_string() }})), '') as gender,
        nullif(trim(cast(education as {{ dbt.type_string() }})), '') as education,
        nullif(trim(cast(marital_status as {{ dbt.type_string() }})), '') as marital_status,
        {{ safe_cast('income', 'double') }} as income,
        {{ safe_cast('kids_home', 'integer') }} as kids_home,
        {{ safe_cast('teens_home', 'integer') }} as teens_home,
        signup_date is not null and {{ parse_date('signup_date') }} is null as is_signup_date_unparseable,
        source_row_number,
        source_row_issue
    from source_rows
),

validated as (
    select
        *,
        case
            when source_row_issue is not null then source_row_issue
            when customer_id is null then 'missing customer_id'
            when kids_home < 0 or teens_home < 0 then 'negative kids_home or teens_home'
            when signup_date not between {{ setting_literal('min_plausible_date') }}
                and {{ setting_literal('max_plausible_date') }}
                then 'signup_date outside min_plausible_date..max_plausible_date'
            -- Keep the first row of a repeated id; the later rows are reported, not merged.
            when row_number() over (
                    partition by customer_id
                    order by source_row_number, signup_date nulls last, birth_year, income
                ) > 1 then 'duplicate customer_id'
        end as reject_reason
    from typed
)

select * from validated
