{{ config(materialized="view") }}
{#- One row per usable customer: the customer attributes the response and uplift models may learn
    from (columns attribute__*, text; the models decide which are numbers, flags or categories). -#}

with

customer_attributes as (
    select * from {{ ref('stg_shop__customer_attributes') }}
)

select * from customer_attributes
