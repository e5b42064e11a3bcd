{#- The planted facts of the sample as name/value rows, for tests to check the marts against. -#}
{%- set schedule = sample_schedule() -%}

with

personas as (
    select * from {{ ref('sample_persona_mix') }}
),

calendar_weights as (
    select * from {{ ref('sample_calendar_weights') }}
),

order_lines as (
    select * from {{ ref('sample_order_lines') }}
),

peak_months as (
    select period as month_of_year
    from calendar_weights
    where period_type = 'month'
    qualify rank() over (order by weight desc) <= 2
),

planted_rows as (
    select
        count(*) filter (where is_planted_duplicate) as planted_duplicate_orders,
        count(*) filter (where is_planted_orphan) as planted_orphan_orders
    from order_lines
),

facts as (
    select
        'personas' as fact_name,
        count(*)::double as fact_value,
        'number of latent personas' as description
    from personas
    union all
    select
        'ab_test_campaign_id' as fact_name,
        {{ schedule.ab_test.id }} as fact_value,
        'campaign_id of the randomized 20% discount test' as description
    union all
    select
        'ab_conversion_lift_abs' as fact_name,
        sum(customer_share * ab_conversion_lift) / sum(customer_share) as fact_value,
        'planted absolute conversion lift of the treatment arm, averaged over personas by share'
            as description
    from personas
    union all
    select
        'ab_spend_ratio' as fact_name,
        {{ sample_ab_spend_ratio() }} as fact_value,
        'treatment spend per conversion divided by control spend per conversion' as description
    union all
    select
        'peak_month_' || row_number() over (order by month_of_year) as fact_name,
        month_of_year as fact_value,
        'month of year with a planted sales peak' as description
    from peak_months
    union all
    select
        'planted_duplicate_orders' as fact_name,
        planted_duplicate_orders as fact_value,
        'order rows repeated verbatim in the raw export' as description
    from planted_rows
    union all
    select
        'planted_orphan_orders' as fact_name,
        planted_orphan_orders as fact_value,
        'order rows whose customer_id is not in customers' as description
    from planted_rows
),

final as (
    select * from facts
)

select * from final
