{#- One row per usable purchase summary (per-customer totals from inputs without order lines). -#}

with

base_summaries as (
    select * from {{ ref('base_shop__purchase_summaries') }}
),

usable as (
    select
        {{ star_except(ref('base_shop__purchase_summaries'),
                       ['source_key', 'reject_reason', 'source_row_number', 'source_row_issue']) }}
    from base_summaries
    where reject_reason is null
),

corrected as (
    -- Deal purchases are a subset of purchases; the reference file has a row with more deals
    -- than purchases, which is capped and flagged.
    select
        {{ star_except(ref('base_shop__purchase_summaries'),
                       ['source_key', 'reject_reason', 'source_row_number', 'source_row_issue', 'deal_purchases']) }},
        least(deal_purchases, orders_count) as deal_purchases,
        {{ category_spend_total() }} as spend_total,
        coalesce(deal_purchases > orders_count, false) as is_deal_purchases_capped
    from usable
)

select * from corrected
