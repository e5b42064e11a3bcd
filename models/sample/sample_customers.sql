{#- Raw customers as a CRM export would hold them: the canonical `customers` contract, with the
    messiness real data has (rare marital values, missing and absurd incomes, impossible birth years). -#}

with

customer_params as (
    select * from {{ ref('sample_customer_params') }}
),

demographics as (
    select
        customer_id,
        signup_date,
        case
            -- One in a thousand has an impossible birth year, as in the reference data. Rare
            -- values sit on a fixed key stride so that every sample of 2,000+ customers has them.
            when customer_id % 1000 = 7
                then 1893 + cast(floor({{ sample_uniform('birth_year_old', 'customer_id') }} * 8) as integer)
            else cast(
                    round(birth_year_mean + 9 * {{ sample_normal('birth_year', 'customer_id') }}) as integer
                )
        end as birth_year,
        case when {{ sample_uniform('gender', 'customer_id') }} < 0.5 then 'F' else 'M' end as gender,
        case
            when {{ sample_uniform('postgrad', 'customer_id') }} < postgrad_share
                then case when {{ sample_uniform('phd', 'customer_id') }} < 0.55 then 'PhD' else 'Master' end
            when {{ sample_uniform('undergrad', 'customer_id') }} < 0.05 then 'Basic'
            when {{ sample_uniform('undergrad', 'customer_id') }} < 0.20 then '2n Cycle'
            else 'Graduation'
        end as education,
        case
            when customer_id % 2000 = 3 then 'YOLO'
            when customer_id % 2000 = 5 then 'Absurd'
            when customer_id % 1000 = 9 then 'Alone'
            when {{ sample_uniform('partnered', 'customer_id') }} < partnered_share
                then case
                        when
                            {{ sample_uniform('married', 'customer_id') }} < 0.6
                            then 'Married'
                        else 'Together'
                    end
            when {{ sample_uniform('single', 'customer_id') }} < 0.65 then 'Single'
            when {{ sample_uniform('single', 'customer_id') }} < 0.92 then 'Divorced'
            else 'Widow'
        end as marital_status,
        case
            when {{ sample_uniform('income_missing', 'customer_id') }} < 0.01 then null
            when customer_id % 2000 = 11 then 666666
            else round(income_median * exp(income_sigma * {{ sample_normal('income', 'customer_id') }}))
        end as income,
        -- Binomial(2, mean / 2) keeps kids and teens in 0..2 with the persona's mean.
        cast({{ sample_uniform('kid1', 'customer_id') }} < kids_mean / 2 as integer)
        + cast({{ sample_uniform('kid2', 'customer_id') }} < kids_mean / 2 as integer) as kids_home,
        cast({{ sample_uniform('teen1', 'customer_id') }} < teens_mean / 2 as integer)
        + cast({{ sample_uniform('teen2', 'customer_id') }} < teens_mean / 2 as integer) as teens_home
    from customer_params
),

final as (
    select
        customer_id,
        signup_date,
        birth_year,
        gender,
        education,
        marital_status,
        income,
        kids_home,
        teens_home
    from demographics
)

select * from final
