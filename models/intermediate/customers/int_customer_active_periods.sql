{#- One row per customer x period with order lines (an active period), from the period of the
    customer's first purchase to the last complete period before the as-of date: the purchase
    totals to date, purchase mix shares and current attributes int_customer_features gives
    today, as they stand after the period, and the period's own orders and revenue. They hold
    until next_active_start (the customer's next active period, else the as-of date). -#}
{%- set grain = setting('history_grain') %}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

complete_periods as (
    select * from {{ ref('int_history_periods') }}
),

dated_lines as (
    select
        *,
        cast({{ dbt.date_trunc(grain, 'order_date') }} as date) as period_start
    from orders
),

period_lines as (
    -- A line is an order (order_id is unique), so a period's orders are its purchase lines.
    select
        customer_id,
        period_start,
        count(*) filter (where is_purchase) as orders_in_period,
        {% for channel in purchase_channels() -%}
            count(*) filter (where is_{{ channel }}_purchase) as purchases_{{ channel }},
        {% endfor -%}
        count(*) filter (where is_deal_purchase) as deal_purchases,
        min(order_date) filter (where is_purchase) as first_purchase_in_period,
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
    from period_lines
    where orders_in_period > 0
    group by customer_id
),

active_periods as (
    -- The customer's periods with order lines, from the first purchase's period on.
    select
        period_lines.*,
        first_periods.first_period_start,
        first_periods.first_order_date,
        complete_periods.as_of_date
    from period_lines
    inner join first_periods
        on period_lines.customer_id = first_periods.customer_id
            and period_lines.period_start >= first_periods.first_period_start
    inner join complete_periods
        on period_lines.period_start = complete_periods.period_start
),

active_to_date as (
    -- Totals from the first period to each active one: what int_customer_orders_aggregated
    -- holds for a customer whose history ends then. They hold until the next active period.
    select
        active_periods.customer_id,
        active_periods.period_start,
        active_periods.first_period_start,
        active_periods.first_order_date,
        active_periods.orders_in_period as orders_in_active_period,
        active_periods.revenue_in_period as revenue_in_active_period,
        coalesce(
            lead(active_periods.period_start) over customer_periods, active_periods.as_of_date
        ) as next_active_start,
        cast(sum(active_periods.orders_in_period) over customer_to_date as {{ dbt.type_bigint() }})
            as orders_count,
        {{ money_sum('active_periods.revenue_in_period', over='customer_to_date') }} as net_revenue,
        {% for category in product_categories() -%}
            {{ money_sum('active_periods.spend_' ~ category, over='customer_to_date') }}
                as spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            cast(sum(active_periods.purchases_{{ channel }}) over customer_to_date as {{ dbt.type_bigint() }})
                as purchases_{{ channel }},
        {% endfor -%}
        cast(sum(active_periods.deal_purchases) over customer_to_date as {{ dbt.type_bigint() }})
            as deal_purchases,
        max(active_periods.last_order_in_period) over customer_to_date as last_order_date
    from active_periods
    window
        customer_periods as (partition by active_periods.customer_id order by active_periods.period_start),
        customer_to_date as (
            partition by active_periods.customer_id order by active_periods.period_start
            rows between unbounded preceding and current row
        )
),

active_mix as (
    select
        *,
        {{ customer_mix() }}
        true as has_purchased
    from active_to_date
),

final as (
    -- What holds from an active period to the next: totals, mix and the customer's attributes.
    -- The spend and purchase totals are only the mix's inputs, so they are not stored.
    select
        active_mix.customer_id,
        active_mix.period_start,
        active_mix.first_period_start,
        active_mix.next_active_start,
        active_mix.orders_in_active_period,
        active_mix.revenue_in_active_period,
        active_mix.orders_count,
        active_mix.net_revenue,
        active_mix.last_order_date,
        {% for category in product_categories() -%}
            active_mix.share_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            active_mix.share_{{ channel }},
        {% endfor -%}
        active_mix.deal_share,
        active_mix.has_purchased,
        coalesce(customers.signup_date, active_mix.first_order_date) as tenure_start_date,
        customers.income_clean,
        customers.age,
        customers.kids_home,
        customers.teens_home,
        customers.is_income_outlier,
        customers.is_birth_year_implausible
    from active_mix
    inner join customers
        on active_mix.customer_id = customers.customer_id
)

select * from final
