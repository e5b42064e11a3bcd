{#- One row per recency score x frequency-monetary score cell with purchasers: its RFM segment
    (seed rfm_segment_rules) and how many customers are in it, the grid the dashboard draws. -#}

with

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

cells as (
    select
        r_score,
        fm_score,
        rfm_segment_id,
        rfm_segment,
        count(*) as customers
    from customer_rfm
    group by r_score, fm_score, rfm_segment_id, rfm_segment
),

final as (
    select
        cast(r_score as integer) as r_score,
        cast(fm_score as integer) as fm_score,
        cast(rfm_segment_id as {{ dbt.type_bigint() }}) as rfm_segment_id,
        rfm_segment,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        {{ safe_divide('customers', 'sum(customers) over ()') }} as share_of_customers
    from cells
)

select * from final
