{#- One row: the figures a marketing manager reads first (the dashboard's headline). Revenue and
    active customers from customers; the share of purchasers at risk and the predicted 12-month
    CLV from customer_clv; campaign profit from campaign_performance, incremental against the
    control group for experiments and gross for broadcasts, with how many campaigns are gross. -#}

with

customers as (
    select * from {{ ref('customers') }}
),

customer_clv as (
    select * from {{ ref('customer_clv') }}
),

campaign_performance as (
    select * from {{ ref('campaign_performance') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

customer_totals as (
    select
        {{ money_sum('net_revenue') }} as revenue,
        count(*) filter (where has_purchased and recency_days <= 365) as active_customers
    from customers
),

clv_totals as (
    select
        avg(case when p_alive < 0.5 then 1.0 else 0.0 end) filter (where p_alive is not null)
            as share_at_risk,
        {{ money_sum('predicted_clv_12m') }} as predicted_clv_12m
    from customer_clv
),

campaign_totals as (
    -- A campaign's total row; incremental where a control group exists, gross where not.
    select
        {{ money_sum(
            "case when attribution = 'incremental' then incremental_profit else profit end"
        ) }} as campaign_profit,
        count(*) filter (where attribution = 'gross') as gross_campaigns
    from campaign_performance
    where segment_type = 'all'
),

final as (
    select
        reference_date.as_of_date,
        customer_totals.revenue,
        cast(customer_totals.active_customers as {{ dbt.type_bigint() }}) as active_customers,
        {{ as_double('clv_totals.share_at_risk') }} as share_at_risk,
        clv_totals.predicted_clv_12m,
        campaign_totals.campaign_profit,
        cast(campaign_totals.gross_campaigns as {{ dbt.type_bigint() }}) as gross_campaigns
    from reference_date
    cross join customer_totals
    cross join clv_totals
    cross join campaign_totals
)

select * from final
