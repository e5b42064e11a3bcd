{{ config(materialized='view') }}
{#- One row per usable order line with what it counts as. The one home of the date rule: a line
    dated after today is kept (the orders mart lists it, flagged) but is no purchase yet, so no
    measure counts it (`is_counted`); every order consumer reads lines from here.
    order_id is unique (staging rejects duplicates), so a line is an order: counts of orders are
    counts of lines, and the purchase kinds below are the order's. -#}

with

order_lines as (
    select * from {{ ref('stg_shop__orders') }}
),

classified as (
    select
        order_id,
        customer_id,
        category,
        channel,
        amount,
        quantity,
        is_deal,
        is_return,
        is_order_date_in_future,
        not is_order_date_in_future as is_counted,
        not is_return and not is_order_date_in_future as is_purchase,
        order_date
    from order_lines
),

purchase_kinds as (
    select
        *,
        is_purchase and is_deal as is_deal_purchase,
        {% for channel in purchase_channels() -%}
            is_purchase and coalesce(channel = '{{ channel }}', false)
                as is_{{ channel }}_purchase{% if not loop.last %},{% endif %}
        {% endfor %}
    from classified
)

select * from purchase_kinds
