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
{{ assert_same_input() }}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

purchase_summaries as (
    select * from {{ ref('int_purchase_summaries_usable') }}
),

customers as (
    select * from {{ ref('int_customers_cleaned') }}
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

orders_to_aggregate as (
    -- All lines of the customers being (re-)aggregated: everyone, or on incremental runs those
    -- with new lines.
    select * from orders
    {% if is_incremental() -%}
        where customer_id in (select changed_customers.customer_id from changed_customers)
    {%- endif %}
),

purchase_dates as (
    -- One row per customer x day with a purchase.
    select
        customer_id,
        order_date
    from orders_to_aggregate
    where not is_return
    group by customer_id, order_date
),

purchase_days as (
    select
        customer_id,
        count(*) as purchase_days
    from purchase_dates
    group by customer_id
),

line_totals as (
    -- A line is an order (order_id is unique), so orders are counted as lines; fixed-point sums
    -- are exact, so the totals do not depend on the order the lines are summed in.
    select
        customer_id,
        count(*) filter (where is_purchase) as orders_count,
        count(*) filter (where is_return) as returns_count,
        {{ money_sum('amount', 'not is_return') }} as gross_revenue,
        coalesce(-{{ money_sum('amount', 'is_return') }}, 0) as returned_amount,
        {{ money_sum('amount') }} as net_revenue,
        {% for category in product_categories() -%}
            coalesce({{ money_sum('amount', "category = '" ~ category ~ "'") }}, 0)
                as spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            count(*) filter (where is_{{ channel }}_purchase) as purchases_{{ channel }},
        {% endfor -%}
        count(*) filter (where is_deal_purchase) as deal_purchases,
        coalesce({{ money_sum('amount', 'is_deal') }}, 0) as deal_revenue,
        min(order_date) filter (where not is_return) as first_order_date,
        max(order_date) filter (where not is_return) as last_order_date,
        max(order_date) as last_activity_date
    from orders_to_aggregate
    group by customer_id
),

aggregated as (
    select
        line_totals.customer_id,
        line_totals.orders_count,
        coalesce(purchase_days.purchase_days, 0) as purchase_days,
        line_totals.returns_count,
        line_totals.gross_revenue,
        line_totals.returned_amount,
        line_totals.net_revenue,
        {% for category in product_categories() -%}
            line_totals.spend_{{ category }},
        {% endfor -%}
        {% for channel in purchase_channels() -%}
            line_totals.purchases_{{ channel }},
        {% endfor -%}
        line_totals.deal_purchases,
        line_totals.deal_revenue,
        line_totals.first_order_date,
        line_totals.last_order_date,
        line_totals.last_activity_date,
        cast(null as {{ engine_type('double') }}) as web_visits_per_month,
        false as is_deal_purchases_capped
    from line_totals
    left join purchase_days
        on line_totals.customer_id = purchase_days.customer_id
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
        -- An unparseable signup date (flagged in customers) falls back to the last purchase.
        coalesce(
            customers.signup_date,
            {{ add_days('reference_date.as_of_date', '-purchase_summaries.recency_days') }}
        ) as first_order_date,
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

combined as (
    select * from aggregated
    -- Same columns in the same order: a positional union is portable, `by name` is DuckDB's.
    union all
    select * from summarized
),

final as (
    select
        *,
        {{ input_fingerprint() }} as input_fingerprint
    from combined
)

select * from final
