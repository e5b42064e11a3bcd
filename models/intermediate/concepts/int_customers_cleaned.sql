{#- One row per customer: demographics mapped through the reference seeds, with age, household
    and an imputed income. Every correction carries a flag. -#}

with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

education_levels as (
    select * from {{ ref('education_levels') }}
),

marital_status_groups as (
    select * from {{ ref('marital_status_groups') }}
),

age_ranges as (
    select * from {{ ref('age_ranges') }}
),

income_ranges as (
    select * from {{ ref('income_ranges') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

mapped as (
    select
        customers.*,
        coalesce(education_levels.education_level, 'Unknown') as education_level,
        coalesce(marital_status_groups.marital_group, 'Unknown') as marital_group,
        coalesce(marital_status_groups.is_odd_value, false) as is_marital_status_odd,
        customers.education is not null and education_levels.education is null as is_education_unmapped,
        -- Staging can only compare with today; a birth year after the data's as-of year would
        -- give a negative age, so it is implausible too.
        customers.is_birth_year_implausible
        or coalesce(customers.birth_year > {{ year_of('reference_date.as_of_date') }}, false)
            as is_birth_year_implausible_as_of,
        case
            when
                not customers.is_birth_year_implausible
                and customers.birth_year <= {{ year_of('reference_date.as_of_date') }}
                then {{ year_of('reference_date.as_of_date') }} - customers.birth_year
        end as age,
        coalesce(customers.kids_home, 0) + coalesce(customers.teens_home, 0) as children_home
    from customers
    cross join reference_date
    left join education_levels
        on customers.education = education_levels.education
    left join marital_status_groups
        on lower(customers.marital_status) = lower(marital_status_groups.marital_status)
),

income_medians as (
    -- Missing or outlying incomes are replaced by the median of the same education level:
    -- income follows education closely in this kind of data, and the median ignores outliers.
    select
        education_level,
        {{ median('income') }} as median_income
    from mapped
    where not is_income_missing and not is_income_outlier
    group by education_level
),

overall_median as (
    select {{ median('income') }} as median_income
    from mapped
    where not is_income_missing and not is_income_outlier
),

imputed as (
    select
        mapped.*,
        case
            when not mapped.is_income_missing and not mapped.is_income_outlier then mapped.income
            else coalesce(income_medians.median_income, overall_median.median_income)
        end as income_clean,
        mapped.is_income_missing or mapped.is_income_outlier as is_income_imputed,
        -- Adults: two for partnered, one otherwise; the CPA analyses count a household this way.
        case when mapped.marital_group = 'Partnered' then 2 else 1 end + mapped.children_home
            as household_size
    from mapped
    cross join overall_median
    left join income_medians
        on mapped.education_level = income_medians.education_level
),

banded as (
    select
        imputed.*,
        age_ranges.age_range,
        income_ranges.income_range
    from imputed
    left join age_ranges
        on imputed.age between age_ranges.min_age and age_ranges.max_age
    left join income_ranges
        on imputed.income_clean between income_ranges.min_income and income_ranges.max_income
),

final as (
    select
        customer_id,
        gender,
        education,
        education_level,
        marital_status,
        marital_group,
        coalesce(age_range, 'Unknown') as age_range,
        coalesce(income_range, 'Unknown') as income_range,
        birth_year,
        age,
        income,
        income_clean,
        kids_home,
        teens_home,
        children_home,
        household_size,
        children_home > 0 as has_children,
        is_birth_year_implausible_as_of as is_birth_year_implausible,
        is_income_missing,
        is_income_outlier,
        is_income_imputed,
        is_marital_status_odd,
        is_education_unmapped,
        is_signup_date_unparseable,
        signup_date
    from banded
)

select * from final
