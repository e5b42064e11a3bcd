{#- One row per persona the sample draws from: the first sample_persona_count rows of the seed
    `sample_personas`, with their customer shares normalized to sum to one and their customer
    traits pulled toward the share-weighted average by sample_separation (1 = the seed's values,
    0 = every persona looks alike and only the planted responses still differ). -#}
{%- set linear_traits = ['birth_year_mean', 'postgrad_share', 'partnered_share', 'kids_mean',
                         'teens_mean', 'orders_per_year', 'lifetime_years', 'deal_rate',
                         'share_wines', 'share_meat', 'share_fruits', 'share_fish', 'share_sweets',
                         'share_gold', 'share_web', 'share_catalog', 'share_store'] -%}
{#- Money traits are lognormal, so they are pulled together on the log scale. -#}
{%- set log_traits = ['income_median', 'basket_median'] -%}

with

personas as (
    select * from {{ ref('sample_personas') }}
),

selected_personas as (
    select
        *,
        customer_share / sum(customer_share) over () as mix_share
    from personas
    where persona_id <= {{ setting_literal('sample_persona_count') }}
),

trait_averages as (
    select
        {% for trait in linear_traits -%}
            sum(mix_share * {{ trait }}) as avg_{{ trait }},
        {% endfor -%}
        {% for trait in log_traits -%}
            sum(mix_share * ln({{ trait }})) as avg_log_{{ trait }},
        {% endfor -%}
        count(*) as personas
    from selected_personas
),

separated as (
    select
        selected_personas.persona_id,
        selected_personas.persona_name,
        selected_personas.mix_share as customer_share,
        {% for trait in linear_traits -%}
            trait_averages.avg_{{ trait }}
            + {{ setting_literal('sample_separation') }}
            * (selected_personas.{{ trait }} - trait_averages.avg_{{ trait }}) as {{ trait }},
        {% endfor -%}
        {% for trait in log_traits -%}
            exp(
                trait_averages.avg_log_{{ trait }}
                + {{ setting_literal('sample_separation') }}
                * (ln(selected_personas.{{ trait }}) - trait_averages.avg_log_{{ trait }})
            ) as {{ trait }},
        {% endfor -%}
        selected_personas.income_sigma,
        selected_personas.response_logit,
        selected_personas.ab_conversion_rate,
        selected_personas.ab_order_value,
        selected_personas.ab_conversion_lift
    from selected_personas
    cross join trait_averages
),

final as (
    select * from separated
)

select * from final
