{#- One row per customer with a purchase: the BG/NBD summary in weeks over the whole history
    (frequency = repeat purchase days, recency = first to last purchase, age = first purchase to
    the as-of date, monetary_value = mean value of the repeat purchase days), the same summary
    over a calibration period, and what happened in the holdout after it. The calibration end is
    var clv_calibration_end, else the point two thirds into the observed period. -#}

with

purchase_days as (
    select * from {{ ref('int_purchase_days') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

observed_period as (
    select
        min(purchase_days.order_date) as first_date,
        {{ any_value('reference_date.as_of_date') }} as end_date,
        coalesce(
            {{ setting_literal('clv_calibration_end') }},
            {{ add_days(
                'min(purchase_days.order_date)',
                'cast(floor(' ~ as_double(day_diff(
                    'min(purchase_days.order_date)', any_value('reference_date.as_of_date')
                )) ~ ' * 2 / 3) as integer)'
            ) }}
        ) as calibration_end_date
    from purchase_days
    cross join reference_date
),

numbered as (
    select
        purchase_days.*,
        observed_period.end_date,
        observed_period.calibration_end_date
    from purchase_days
    cross join observed_period
),

summarized as (
    select
        customer_id,
        {{ any_value('first_purchase_date') }} as first_purchase_date,
        {{ any_value('calibration_end_date') }} as calibration_end_date,
        count(*) - 1 as frequency,
        {{ as_double(day_diff(any_value('first_purchase_date'), 'max(order_date)')) }} / 7 as recency,
        {{ as_double(day_diff(any_value('first_purchase_date'), any_value('end_date'))) }} / 7 as age,
        {{ money_avg('purchase_value', 'purchase_number > 1') }} as monetary_value,
        count(*) filter (where order_date < calibration_end_date) - 1 as calibration_frequency,
        {{ as_double(day_diff(
            any_value('first_purchase_date'),
            'max(order_date) filter (where order_date < calibration_end_date)'
        )) }} / 7 as calibration_recency,
        {{ as_double(day_diff(any_value('first_purchase_date'), any_value('calibration_end_date'))) }} / 7
            as calibration_age,
        {{ money_avg('purchase_value', 'purchase_number > 1 and order_date < calibration_end_date') }}
            as calibration_monetary_value,
        count(*) filter (where order_date >= calibration_end_date) as holdout_purchases,
        coalesce({{ money_sum('purchase_value', 'order_date >= calibration_end_date') }}, 0)
            as holdout_revenue,
        {{ as_double(day_diff(any_value('calibration_end_date'), any_value('end_date'))) }} / 7
            as holdout_weeks
    from numbered
    group by customer_id
),

final as (
    select
        customer_id,
        frequency,
        recency,
        age,
        monetary_value,
        -- Customers acquired during the holdout have no calibration history: null there.
        case when first_purchase_date < calibration_end_date then calibration_frequency end
            as calibration_frequency,
        case when first_purchase_date < calibration_end_date then calibration_recency end
            as calibration_recency,
        case when first_purchase_date < calibration_end_date then calibration_age end as calibration_age,
        case when first_purchase_date < calibration_end_date then calibration_monetary_value end
            as calibration_monetary_value,
        holdout_purchases,
        holdout_revenue,
        holdout_weeks,
        first_purchase_date,
        calibration_end_date
    from summarized
)

select * from final
