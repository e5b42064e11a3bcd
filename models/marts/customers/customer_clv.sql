{#- One row per customer with at least one purchase: historical value and a heuristic 12-month
    CLV (purchase rate x average order value x margin, discounted monthly). -#}

with

customer_features as (
    select * from {{ ref('int_customer_features') }}
),

predictions as (
    select * from {{ ref('int_customer_clv_predictions') }}
),

purchasers as (
    select
        customer_id,
        first_order_date,
        last_order_date,
        as_of_date,
        orders_count,
        net_revenue as historical_revenue,
        avg_order_value,
        {{ day_diff('first_order_date', 'as_of_date') }} as tenure_days
    from customer_features
    where has_purchased
),

rates as (
    select
        *,
        orders_count * 365.25
        / greatest(tenure_days, {{ setting_literal('clv_min_observation_days') }}) as purchase_rate_per_year
    from purchasers
),

heuristic as (
    select
        *,
        -- Expected monthly gross profit, valued over the next 12 months at the monthly rate.
        {{ setting_literal('clv_margin') }} * purchase_rate_per_year / 12.0 * avg_order_value
        * {{ discount_annuity_factor(setting('clv_monthly_discount_rate'), 12) }} as heuristic_clv_12m
    from rates
),

combined as (
    select
        heuristic.*,
        predictions.p_alive,
        predictions.expected_purchases_90d,
        predictions.expected_purchases_365d,
        predictions.expected_purchases_365d_low,
        predictions.expected_purchases_365d_high,
        predictions.expected_avg_order_value,
        predictions.predicted_clv_12m_low,
        predictions.predicted_clv_12m_high,
        -- The probabilistic CLV where the model could be fitted, else the heuristic (see clv_method).
        coalesce(predictions.predicted_clv_12m, heuristic.heuristic_clv_12m) as predicted_clv_12m,
        case when predictions.customer_id is null then 'heuristic' else 'bgnbd_gamma_gamma' end
            as clv_method
    from heuristic
    left join predictions
        on heuristic.customer_id = predictions.customer_id
),

clv_ranks as (
    -- Ranked on two columns and joined back: one window over every customer's full row kept
    -- them all in memory and ran out of DuckDB's 4GB limit at 10M customers.
    select
        customer_id,
        percent_rank() over (order by predicted_clv_12m desc) as clv_rank_share
    from combined
),

final as (
    select
        combined.customer_id,
        combined.clv_method,
        case
            -- Top 10%, next 20%, next 30%, the rest.
            when clv_ranks.clv_rank_share < 0.1 then 'Platinum'
            when clv_ranks.clv_rank_share < 0.3 then 'Gold'
            when clv_ranks.clv_rank_share < 0.6 then 'Silver'
            else 'Bronze'
        end as clv_tier,
        combined.orders_count,
        combined.tenure_days,
        combined.historical_revenue,
        combined.avg_order_value,
        combined.purchase_rate_per_year,
        combined.heuristic_clv_12m,
        combined.p_alive,
        combined.expected_purchases_90d,
        combined.expected_purchases_365d,
        combined.expected_purchases_365d_low,
        combined.expected_purchases_365d_high,
        combined.expected_avg_order_value,
        combined.predicted_clv_12m,
        combined.predicted_clv_12m_low,
        combined.predicted_clv_12m_high,
        combined.first_order_date,
        combined.last_order_date
    from combined
    inner join clv_ranks
        on combined.customer_id = clv_ranks.customer_id
)

select * from final
