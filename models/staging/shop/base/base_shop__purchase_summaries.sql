{#- Every raw purchase-summary row (inputs that carry per-customer totals instead of order lines,
    such as the Customer Personality Analysis file), typed, with the reason it cannot be used. -#}
{%- set counts = ['recency_days', 'orders_count', 'deal_purchases', 'purchases_web',
                  'purchases_catalog', 'purchases_store'] -%}

with

source_rows as (
    select * from {{ shop_input('purchase_summaries') }}
),

known_customers as (
    select customer_id from {{ ref('base_shop__customers') }}
    where reject_reason is null
),

typed as (
    select
        {{ text_id('customer_id') }} as customer_id,
        cast(customer_id as {{ dbt.type_string() }}) as source_key,
        {% for column in counts -%}
            {{ safe_cast(column, 'integer') }} as {{ column }},
        {% endfor -%}
        {{ safe_cast('web_visits_per_month', 'double') }} as web_visits_per_month,
        {% for category in product_categories() -%}
            {{ safe_cast('spend_' ~ category, 'double') }} as spend_{{ category }},
        {% endfor -%}
        source_row_number,
        source_row_issue
    from source_rows
),

validated as (
    select
        *,
        case
            when source_row_issue is not null then source_row_issue
            when customer_id is null then 'missing customer_id'
            when customer_id not in (select known_customers.customer_id from known_customers)
                then 'orphan purchase summary: customer_id not in customers'
            when row_number() over (partition by customer_id order by source_row_number) > 1
                then 'duplicate customer_id'
        end as reject_reason
    from typed
)

select * from validated
