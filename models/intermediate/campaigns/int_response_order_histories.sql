{#- One row per snapshot of int_response_snapshots x customer with order lines before its
    cutoff date: the purchase history the response and uplift models see at that date (recency,
    purchases, net amount, deal share, category shares of positive spend, channel shares of
    purchases), from the lines the measures count (int_order_lines_classified: a line dated
    after the as-of date counts before no cutoff) and its purchase kinds. A view:
    int_response_features, its one reader, computes it once in its own query (a table cost a
    2.7M-row write and read at 1M customers); its grain is tested there. -#}
{{ config(materialized='view') }}
{%- set history_snapshots = response_snapshots() %}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

snapshots as (
    select * from {{ ref('int_response_snapshots') }}
),

cutoffs as (
    -- The cutoff dates as columns of one row, so that every snapshot's history is computed in
    -- one pass over the order lines rather than by joining every line to each snapshot.
    select {{ snapshot_columns('cutoff_date', 'cutoff') }}
    from snapshots
),

dated_lines as (
    -- Which cutoffs each line is dated before.
    select
        orders.*,
        {% for snapshot in history_snapshots -%}
            orders.order_date < cutoffs.{{ snapshot }}_cutoff as is_before_{{ snapshot }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from orders
    cross join cutoffs
),

span_sums as (
    -- One pass over the lines, grouped by customer and by which cutoffs a line is dated before:
    -- cutoffs are dates, so a customer has at most one group more than there are cutoffs, and
    -- the per-snapshot filters run on these few groups instead of on every line. Amounts are
    -- summed in fixed point, exact in any order and again when the groups are added up.
    select
        customer_id,
        {% for snapshot in history_snapshots -%}
            is_before_{{ snapshot }},
        {% endfor -%}
        count(*) as line_count,
        count(*) filter (where is_purchase) as purchases,
        count(*) filter (where is_deal_purchase) as deal_purchases,
        {% for channel in purchase_channels() -%}
            count(*) filter (where is_{{ channel }}_purchase) as {{ channel }}_purchases,
        {% endfor -%}
        max(order_date) filter (where is_purchase) as last_purchase_date,
        {{ money_total('amount') }} as amount,
        {{ money_total('greatest(amount, 0)') }} as positive_amount,
        {% for category in product_categories() -%}
            {{ money_total('greatest(amount, 0)', "category = '" ~ category ~ "'") }}
                as positive_{{ category }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from dated_lines
    group by
        customer_id,
        {% for snapshot in history_snapshots -%}
            is_before_{{ snapshot }}{% if not loop.last %},{% endif %}
        {% endfor %}
),

line_sums as (
    -- Each snapshot's totals per customer: the groups dated before its cutoff added up.
    {%- set counts = ['line_count', 'purchases', 'deal_purchases']
        + suffixed(purchase_channels(), '_purchases') %}
    {%- set amounts = ['amount', 'positive_amount'] + prefixed('positive_', product_categories()) %}
    select
        customer_id,
        {% for snapshot in history_snapshots -%}
            {%- set before_cutoff = 'is_before_' ~ snapshot %}
            {% for count in counts -%}
                {{ count_total(count, before_cutoff) }} as {{ snapshot }}_{{ count }},
            {% endfor -%}
            max(last_purchase_date) filter (where {{ before_cutoff }})
                as {{ snapshot }}_last_purchase_date,
            {% for amount in amounts -%}
                {{ money_sum(amount, before_cutoff) }} as {{ snapshot }}_{{ amount }}
                {%- if not (loop.last and snapshot == history_snapshots[-1]) %},{% endif %}
            {% endfor %}
        {%- endfor %}
    from span_sums
    group by customer_id
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
        where line_sums.{{ snapshot }}_line_count > 0
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from order_history
