{#- One row per snapshot of int_response_snapshots x customer with order lines before its
    cutoff date: the purchase history the response and uplift models see at that date (recency,
    purchases, net amount, deal share, category shares of positive spend, channel shares of
    purchases). A line is an order (order_id is unique): a purchase (deal, channel) before a
    cutoff is a bought line of that kind dated before it. A view: int_response_features, its one reader, computes it once in its own
    query (a table cost a 2.7M-row write and read at 1M customers); its grain is tested there. -#}
{{ config(materialized='view') }}
{%- set history_snapshots = ['train', 'experiment', 'score'] %}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
),

snapshots as (
    select * from {{ ref('int_response_snapshots') }}
),

cutoffs as (
    -- The cutoff dates as columns of one row, so that every snapshot's history is computed in
    -- one pass over the order lines rather than by joining every line to each snapshot.
    select
        {% for snapshot in history_snapshots -%}
            max(cutoff_date) filter (where snapshot = '{{ snapshot }}')
                as {{ snapshot }}_cutoff{% if not loop.last %},{% endif %}
        {% endfor %}
    from snapshots
),

line_sums as (
    -- One pass over the lines for every snapshot. A line is an order (order_id is unique), so
    -- purchases are counted as lines; amounts are summed in fixed point, exact in any order.
    select
        orders.customer_id,
        {% for snapshot in history_snapshots -%}
            {%- set before_cutoff = 'orders.order_date < cutoffs.' ~ snapshot ~ '_cutoff' %}
            {%- set bought_before_cutoff = 'not orders.is_return and ' ~ before_cutoff %}
            count(*) filter (where {{ before_cutoff }}) as {{ snapshot }}_lines,
            count(*) filter (where {{ bought_before_cutoff }}) as {{ snapshot }}_purchases,
            count(*) filter (where orders.is_deal and {{ bought_before_cutoff }})
                as {{ snapshot }}_deal_purchases,
            {% for channel in purchase_channels() -%}
                count(*) filter (where orders.channel = '{{ channel }}' and {{ bought_before_cutoff }})
                    as {{ snapshot }}_{{ channel }}_purchases,
            {% endfor -%}
            max(orders.order_date) filter (where {{ bought_before_cutoff }})
                as {{ snapshot }}_last_purchase_date,
            {{ money_sum('orders.amount', before_cutoff) }} as {{ snapshot }}_amount,
            {{ money_sum('greatest(orders.amount, 0)', before_cutoff) }}
                as {{ snapshot }}_positive_amount,
            {% for category in product_categories() -%}
                {{ money_sum(
                    'greatest(orders.amount, 0)',
                    before_cutoff ~ " and orders.category = '" ~ category ~ "'"
                ) }} as {{ snapshot }}_positive_{{ category }}
                {%- if not (loop.last and snapshot == history_snapshots[-1]) %},{% endif %}
            {% endfor %}
        {%- endfor %}
    from orders
    cross join cutoffs
    group by orders.customer_id
),

order_history as (
    -- One row per snapshot x customer with order lines before its cutoff.
    {% for snapshot in history_snapshots -%}
        select
            '{{ snapshot }}' as snapshot,
            line_sums.customer_id,
            {{ day_diff(
                'line_sums.' ~ snapshot ~ '_last_purchase_date', 'cutoffs.' ~ snapshot ~ '_cutoff'
            ) }} as recency_days,
            line_sums.{{ snapshot }}_purchases as frequency,
            line_sums.{{ snapshot }}_amount as monetary,
            {{ safe_divide(
                'line_sums.' ~ snapshot ~ '_deal_purchases',
                'line_sums.' ~ snapshot ~ '_purchases'
            ) }} as deal_share,
            {% for category in product_categories() -%}
                {{ safe_divide(
                    'line_sums.' ~ snapshot ~ '_positive_' ~ category,
                    'line_sums.' ~ snapshot ~ '_positive_amount'
                ) }} as share_{{ category }},
            {% endfor -%}
            {% for channel in purchase_channels() -%}
                {{ safe_divide(
                    'line_sums.' ~ snapshot ~ '_' ~ channel ~ '_purchases',
                    'line_sums.' ~ snapshot ~ '_purchases'
                ) }} as share_{{ channel }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from line_sums
        cross join cutoffs
        where line_sums.{{ snapshot }}_lines > 0
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from order_history
