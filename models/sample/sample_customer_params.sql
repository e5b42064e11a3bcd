{#- One row per generated customer with its latent persona and buy-till-you-die parameters.
    Everything the other sample models draw from; only the sample models and tests read it. -#}
{%- set schedule = sample_schedule() -%}

with

personas as (
    select * from {{ ref('sample_persona_mix') }}
),

persona_bounds as (
    -- Cumulative shares, normalized so that the seed's shares need not sum to exactly one.
    select
        *,
        (sum(customer_share) over (order by persona_id) - customer_share)
        / sum(customer_share) over () as share_low,
        sum(customer_share) over (order by persona_id) / sum(customer_share) over () as share_high
    from personas
),

customer_spine as (
    select range + 1 as customer_id
    from range({{ setting_literal('sample_customers') }})
),

customers_with_persona as (
    select
        customer_spine.customer_id,
        persona_bounds.*
    from customer_spine
    inner join persona_bounds
        on {{ sample_uniform('persona', 'customer_spine.customer_id') }} >= persona_bounds.share_low
            and {{ sample_uniform('persona', 'customer_spine.customer_id') }} < persona_bounds.share_high
),

latent_draws as (
    select
        customer_id,
        persona_id,
        persona_name,
        -- Signups spread evenly over the three-year window.
        date '{{ schedule.start_date }}'
        + cast(floor({{ sample_uniform('signup', 'customer_id') }} * 1095) as integer)
            as signup_date,
        -- Individual purchase rate: persona mean with lognormal heterogeneity (mean-preserving).
        orders_per_year
        * exp(0.5 * {{ sample_normal('rate', 'customer_id') }} - 0.125) as orders_per_year,
        -- Exponential lifetime: the customer "dies" (stops buying) after it.
        -lifetime_years * ln({{ sample_uniform('lifetime', 'customer_id') }}) as lifetime_years,
        basket_median,
        deal_rate,
        share_wines,
        share_meat,
        share_fruits,
        share_fish,
        share_sweets,
        share_gold,
        share_web,
        share_catalog,
        share_store,
        response_logit,
        ab_conversion_rate,
        ab_conversion_lift,
        ab_order_value,
        birth_year_mean,
        income_median,
        income_sigma,
        postgrad_share,
        partnered_share,
        kids_mean,
        teens_mean
    from customers_with_persona
),

final as (
    select
        *,
        least(
            signup_date + cast(round(lifetime_years * 365.25) as integer),
            {{ schedule.end_date }}
        ) as active_until_date,
        signup_date + cast(round(lifetime_years * 365.25) as integer)
        > {{ schedule.end_date }} as is_alive_at_end
    from latent_draws
)

select * from final
