{#- One row per customer x period end (var history_grain: month or quarter), from the period of
    their first purchase to the last complete period before the as-of date: the customer as of
    the day after the period end, with the columns int_customer_features gives today (purchase
    totals to date, recency, tenure, purchase mix shares, demographics) plus what happened in
    the period itself. Totals and mix change only in active periods (int_customer_active_periods)
    and are carried to the quiet periods after them. Computed from the order lines alone, so the
    whole history exists on a first build. Demographics are the customer's current ones. -#}

{{ config(materialized="view") }}

with

active_periods as (
    select * from {{ ref('int_customer_active_periods') }}
),

history_periods as (
    select * from {{ ref('int_history_periods') }}
),

expanded as (
    -- Every customer once per period from their first purchase's period on, bought or not:
    -- each active period's row carried to the periods before the next active one.
    select
        active_periods.*,
        history_periods.period_start as spine_period_start,
        history_periods.period_end,
        {{ add_days('history_periods.period_end', 1) }} as snapshot_date
    from active_periods
    inner join history_periods
        on active_periods.period_start <= history_periods.period_start
            and active_periods.next_active_start > history_periods.period_start
),

final as (
    select
        customer_id,
        period_end,
        spine_period_start = first_period_start as is_first_period,
        case when spine_period_start = period_start then orders_in_active_period else 0 end
            as orders_in_period,
        case when spine_period_start = period_start then revenue_in_active_period else 0 end
            as revenue_in_period,
        orders_count,
        net_revenue,
        last_order_date,
        {{ day_diff('last_order_date', 'snapshot_date') }} as recency_days,
        {{ day_diff('tenure_start_date', 'snapshot_date') }} as tenure_days,
        {% for category in product_categories() -%}
            share_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            share_{{ channel }},
        {% endfor -%}
        deal_share,
        income_clean,
        age,
        kids_home,
        teens_home,
        is_income_outlier,
        is_birth_year_implausible,
        cast(null as {{ engine_type('double') }}) as web_visits_per_month,
        has_purchased
    from expanded
)

select * from final
