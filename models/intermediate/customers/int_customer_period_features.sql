{#- One row per customer x period end (var history_grain: month or quarter), from the period of
    their first purchase to the last complete period before the as-of date: the customer as of
    the day after the period end, with the columns int_customer_features gives today (purchase
    totals to date, recency, tenure, purchase mix, demographics) plus what happened in the
    period itself. Computed from the order lines alone, so the whole history exists on a first
    build. Demographics (age, income, household) are the customer's current ones. -#}
{%- set grain = setting('history_grain') %}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

dated_lines as (
    select
        *,
        cast({{ dbt.date_trunc(grain, 'order_date') }} as date) as period_start
    from orders
),

order_flags as (
    -- One row per bought order, dated by its first bought line (returns are not purchases).
    select
        customer_id,
        order_id,
        {{ order_purchase_flags() }}
        min(order_date) filter (where not is_return) as purchase_date
    from dated_lines
    group by customer_id, order_id
),

period_purchases as (
    select
        customer_id,
        cast({{ dbt.date_trunc(grain, 'purchase_date') }} as date) as period_start,
        count(*) as orders_in_period,
        {% for channel in purchase_channels() -%}
            count(*) filter (where is_{{ channel }}_purchase) as purchases_{{ channel }},
        {% endfor -%}
        count(*) filter (where is_deal_purchase) as deal_purchases,
        min(purchase_date) as first_purchase_in_period
    from order_flags
    where is_purchase
    group by customer_id, cast({{ dbt.date_trunc(grain, 'purchase_date') }} as date)
),

period_lines as (
    -- Money by the date of each line, as int_customer_orders_aggregated sums it.
    select
        customer_id,
        period_start,
        {{ money_sum('amount') }} as revenue_in_period,
        {% for category in product_categories() -%}
            {{ money_sum('amount', "category = '" ~ category ~ "'") }} as spend_{{ category }},
        {% endfor -%}
        max(order_date) filter (where not is_return) as last_order_in_period
    from dated_lines
    group by customer_id, period_start
),

first_periods as (
    select
        customer_id,
        min(period_start) as first_period_start,
        min(first_purchase_in_period) as first_order_date
    from period_purchases
    group by customer_id
),

bounds as (
    -- From the first purchase's period to the last period that ended before the as-of date.
    select
        min(first_periods.first_period_start) as first_start,
        max(reference_date.as_of_date) as as_of_date
    from first_periods
    cross join reference_date
),

months as (
    {{ period_spine('month', '(select first_start from bounds)', '(select as_of_date from bounds)') }}
),

periods as (
    select distinct
        cast({{ dbt.date_trunc(grain, 'months.period_start') }} as date) as period_start
    from months
),

period_ends as (
    select
        period_start,
        {{ add_days(dbt.dateadd(grain, 1, 'period_start'), -1) }} as period_end
    from periods
),

complete_periods as (
    select period_ends.*
    from period_ends
    cross join bounds
    where period_ends.period_end < bounds.as_of_date
),

customer_periods as (
    -- Every customer once per period from their first purchase's period on, bought or not.
    select
        first_periods.customer_id,
        first_periods.first_order_date,
        complete_periods.period_start,
        complete_periods.period_end,
        first_periods.first_period_start = complete_periods.period_start as is_first_period
    from first_periods
    inner join complete_periods
        on first_periods.first_period_start <= complete_periods.period_start
),

activity as (
    select
        customer_periods.*,
        coalesce(period_purchases.orders_in_period, 0) as orders_in_period,
        {% for channel in purchase_channels() -%}
            coalesce(period_purchases.purchases_{{ channel }}, 0) as purchases_{{ channel }},
        {% endfor -%}
        coalesce(period_purchases.deal_purchases, 0) as deal_purchases,
        coalesce(period_lines.revenue_in_period, 0) as revenue_in_period,
        {% for category in product_categories() -%}
            coalesce(period_lines.spend_{{ category }}, 0) as spend_{{ category }},
        {% endfor -%}
        period_lines.last_order_in_period
    from customer_periods
    left join period_purchases
        on customer_periods.customer_id = period_purchases.customer_id
            and customer_periods.period_start = period_purchases.period_start
    left join period_lines
        on customer_periods.customer_id = period_lines.customer_id
            and customer_periods.period_start = period_lines.period_start
),

to_date as (
    -- Totals from the first period to this one: what int_customer_orders_aggregated holds for
    -- a customer whose history ends at the period end.
    select
        customer_id,
        period_end,
        is_first_period,
        orders_in_period,
        revenue_in_period,
        first_order_date,
        {{ add_days('period_end', 1) }} as snapshot_date,
        cast(sum(orders_in_period) over customer_to_date as {{ dbt.type_bigint() }})
            as orders_count,
        {{ money_sum('revenue_in_period', over='customer_to_date') }} as net_revenue,
        {% for category in product_categories() -%}
            {{ money_sum('spend_' ~ category, over='customer_to_date') }} as spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            cast(sum(purchases_{{ channel }}) over customer_to_date as {{ dbt.type_bigint() }})
                as purchases_{{ channel }},
        {% endfor -%}
        cast(sum(deal_purchases) over customer_to_date as {{ dbt.type_bigint() }})
            as deal_purchases,
        max(last_order_in_period) over customer_to_date as last_order_date
    from activity
    window customer_to_date as (
        partition by customer_id order by period_end rows between unbounded preceding and current row
    )
),

measured as (
    select
        *,
        {{ day_diff('last_order_date', 'snapshot_date') }} as recency_days,
        {{ customer_mix() }}
        true as has_purchased
    from to_date
),

final as (
    select
        measured.customer_id,
        measured.period_end,
        measured.is_first_period,
        measured.orders_in_period,
        measured.revenue_in_period,
        measured.orders_count,
        measured.net_revenue,
        measured.last_order_date,
        measured.recency_days,
        {{ day_diff('coalesce(customers.signup_date, measured.first_order_date)', 'measured.snapshot_date') }}
            as tenure_days,
        {% for category in product_categories() -%}
            measured.spend_{{ category }},
            measured.share_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            measured.purchases_{{ channel }},
            measured.share_{{ channel }},
        {% endfor -%}
        measured.deal_purchases,
        measured.deal_share,
        customers.income_clean,
        customers.age,
        customers.kids_home,
        customers.teens_home,
        customers.is_income_outlier,
        customers.is_birth_year_implausible,
        cast(null as {{ engine_type('double') }}) as web_visits_per_month,
        measured.has_purchased
    from measured
    inner join customers
        on measured.customer_id = customers.customer_id
)

select * from final
