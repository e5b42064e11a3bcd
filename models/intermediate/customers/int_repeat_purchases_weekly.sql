{#- One row per week of the observed period (week 0 starts on the first purchase day of all):
    the calibration cohort's first purchases and repeat purchase days in the week, with the
    calibration end and the as-of date (observation ends the day before). The calibration
    cohort is the customers whose first purchase is before the calibration end, the customers
    clv_tracking follows through calibration and holdout. -#}

with

histories as (
    select * from {{ ref('int_customer_purchase_histories') }}
),

purchase_days as (
    select * from {{ ref('int_purchase_days') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

period as (
    select
        min(histories.first_purchase_date) as first_date,
        {{ any_value('histories.calibration_end_date') }} as calibration_end_date,
        {{ any_value('reference_date.as_of_date') }} as as_of_date
    from histories
    cross join reference_date
),

cohort_days as (
    select
        purchase_days.order_date,
        purchase_days.purchase_number,
        period.first_date,
        period.calibration_end_date,
        period.as_of_date
    from purchase_days
    inner join histories
        on purchase_days.customer_id = histories.customer_id
    cross join period
    where histories.first_purchase_date < period.calibration_end_date
),

weekly as (
    select
        cast(floor({{ day_diff('first_date', 'order_date') }} / 7) as integer) as week_index,
        {{ any_value('first_date') }} as first_date,
        {{ any_value('calibration_end_date') }} as calibration_end_date,
        {{ any_value('as_of_date') }} as as_of_date,
        count(*) filter (where purchase_number = 1) as first_purchases,
        count(*) filter (where purchase_number > 1) as repeat_purchases
    from cohort_days
    group by 1
),

final as (
    select
        week_index,
        {{ add_days('first_date', 'week_index * 7') }} as period_start,
        calibration_end_date,
        as_of_date,
        first_purchases,
        repeat_purchases
    from weekly
)

select * from final
