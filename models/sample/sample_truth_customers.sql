{{ config(materialized="view") }}
{#- The hidden truth per generated customer (persona, latent rates). Only tests read it. -#}

with

customer_params as (
    select * from {{ ref('sample_customer_params') }}
),

final as (
    select
        customer_id,
        persona_id,
        persona_name,
        orders_per_year,
        lifetime_years,
        active_until_date,
        is_alive_at_end,
        ab_conversion_lift
    from customer_params
)

select * from final
