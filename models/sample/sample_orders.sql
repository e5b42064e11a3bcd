{{ config(materialized="view") }}
{#- Raw orders in the canonical `orders` contract (planted bad rows included, flags stripped). -#}

with

order_lines as (
    select * from {{ ref('sample_order_lines') }}
),

final as (
    select
        order_id,
        customer_id,
        order_date,
        amount,
        quantity,
        category,
        channel,
        is_deal
    from order_lines
    {#- Simulates a daily load: orders dated after sample_orders_until have not arrived yet. #}
    {%- if setting('sample_orders_until') is not none %}
        where order_date <= {{ setting_literal('sample_orders_until') }}
    {%- endif %}
)

select * from final
