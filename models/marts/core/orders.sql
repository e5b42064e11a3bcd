{{ config(
    materialized=incremental_materialization(),
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
{{ assert_same_input() }}
{#- One row per usable order line (returns included as negative lines). Incremental: a run
    processes the order lines dated from var incremental_lookback_days before the newest line
    already loaded, replacing any it had loaded before. -#}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    {% if is_incremental() -%}
        where order_date >= ({{ incremental_order_watermark('order_date') }})
    {%- endif %}
),

final as (
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
        order_date,
        {{ month_of('order_date') }} as order_month,
        {{ input_fingerprint() }} as input_fingerprint
    from orders
)

select * from final
