{{ config(materialized='view') }}
{#- One row per usable order line with what it counts as. The one home of the date rule: a line
    dated after today is kept (the orders mart lists it, flagged) but is no purchase yet, so no
    measure counts it (`is_counted`); every order consumer reads lines from here. -#}

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
)

select * from classified
