{#- One row per usable order line: typed, with returns and future dates flagged. -#}

with

base_orders as (
    select * from {{ ref('base_shop__orders') }}
),

usable as (
    select * from base_orders
    where reject_reason is null
),

flagged as (
    select
        order_id,
        customer_id,
        category,
        channel,
        amount,
        quantity,
        coalesce(is_deal, false) as is_deal,
        amount < 0 as is_return,
        order_date > current_date as is_order_date_in_future,
        order_date
    from usable
)

select * from flagged
