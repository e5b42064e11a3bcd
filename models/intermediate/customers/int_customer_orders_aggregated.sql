{#- One row per customer with at least one order line or purchase summary: counts, revenue net of
    returns, spend by category, purchases by channel, deals. Inputs with order lines are
    aggregated here; inputs that only carry per-customer totals (the Customer Personality
    Analysis file) contribute their summaries as they are.
    Incremental: a run re-aggregates (from all their lines) only the customers with order lines
    dated from var incremental_lookback_days before the newest line already aggregated; summaries
    are small and re-read every run. -#}
{{ config(
    materialized=incremental_materialization(),
    unique_key='customer_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

purchase_summaries as (
    select * from {{ ref('stg_shop__purchase_summaries') }}
),

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

{% if is_incremental() %}
    changed_customers as (
        -- Re-aggregated from all their lines: customers with lines since the watermark.
        select distinct customer_id
        from orders
        where order_date >= ({{ incremental_order_watermark('last_activity_date') }})
    ),
{% endif %}

aggregated as (
    select
        customer_id,
        count(distinct order_id) filter (where not is_return) as orders_count,
        count(distinct order_date) filter (where not is_return) as purchase_days,
        count(*) filter (where is_return) as returns_count,
        {{ money_sum('amount', 'not is_return') }} as gross_revenue,
        coalesce(-{{ money_sum('amount', 'is_return') }}, 0) as returned_amount,
        {{ money_sum('amount') }} as net_revenue,
        {% for category in product_categories() -%}
            coalesce({{ money_sum('amount', "category = '" ~ category ~ "'") }}, 0)
                as spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            count(distinct order_id) filter (
                where channel = '{{ channel }}' and not is_return
            ) as purchases_{{ channel }},
        {% endfor -%}
        count(distinct order_id) filter (where is_deal and not is_return) as deal_purchases,
        coalesce({{ money_sum('amount', 'is_deal') }}, 0) as deal_revenue,
        min(order_date) filter (where not is_return) as first_order_date,
        max(order_date) filter (where not is_return) as last_order_date,
        max(order_date) as last_activity_date,
        cast(null as {{ engine_type('double') }}) as web_visits_per_month,
        false as is_deal_purchases_capped
    from orders
    {% if is_incremental() -%}
        where customer_id in (select changed_customers.customer_id from changed_customers)
    {%- endif %}
    group by customer_id
),

summarized as (
    -- Totals without order dates: the last purchase is Recency days before the reference date,
    -- and the signup (enrolment) date stands in for the first purchase.
    select
        purchase_summaries.customer_id,
        purchase_summaries.orders_count,
        purchase_summaries.orders_count as purchase_days,
        0 as returns_count,
        purchase_summaries.spend_total as gross_revenue,
        0.0 as returned_amount,
        purchase_summaries.spend_total as net_revenue,
        {% for category in product_categories() -%}
            purchase_summaries.spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            purchase_summaries.purchases_{{ channel }},
        {% endfor -%}
        purchase_summaries.deal_purchases,
        cast(null as {{ engine_type('double') }}) as deal_revenue,
        customers.signup_date as first_order_date,
        {{ add_days('reference_date.as_of_date', '-purchase_summaries.recency_days') }} as last_order_date,
        cast(null as date) as last_activity_date,
        purchase_summaries.web_visits_per_month,
        purchase_summaries.is_deal_purchases_capped
    from purchase_summaries
    cross join reference_date
    left join customers
        on purchase_summaries.customer_id = customers.customer_id
    where purchase_summaries.orders_count > 0
),

final as (
    select * from aggregated
    -- Same columns in the same order: a positional union is portable, `by name` is DuckDB's.
    union all
    select * from summarized
)

select * from final
