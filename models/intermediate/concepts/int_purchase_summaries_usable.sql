{{ config(materialized='view') }}
{#- One row per customer whose input gives purchase totals instead of order lines (the Customer
    Personality Analysis file): the per-customer totals every customer measure starts from when
    there are no order lines. -#}

with

purchase_summaries as (
    select * from {{ ref('stg_shop__purchase_summaries') }}
)

select * from purchase_summaries
