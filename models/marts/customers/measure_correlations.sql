{#- One row per ordered pair of the main customer measures of marts.customers (the full matrix,
    the diagonal included): Pearson's correlation over the customers with a purchase and both
    measures known, and how many customers that is. The same figure as pandas DataFrame.corr(). -#}
{%- set measures = [
    'income_clean', 'age', 'household_size', 'kids_home', 'teens_home', 'tenure_days',
    'recency_days', 'orders_count', 'net_revenue', 'avg_order_value', 'deal_share',
    'campaigns_accepted', 'web_visits_per_month'
] + prefixed('spend_', product_categories()) + prefixed('purchases_', purchase_channels()) -%}
{#- Each unordered pair once, the diagonal included; the other half is mirrored in SQL. -#}
{%- set pairs = [] -%}
{%- for measure_a in measures -%}
    {%- for measure_b in measures[loop.index0:] -%}
        {%- do pairs.append((measure_a, measure_b)) -%}
    {%- endfor -%}
{%- endfor %}

with

customers as (
    select * from {{ ref('customers') }}
),

purchasers as (
    -- Non-buyers are zero on every purchase measure: they would make every pair look related.
    select
        {% for measure in measures -%}
            {{ as_double(measure) }} as {{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from customers
    where has_purchased
),

pair_statistics as (
    -- One pass over the customers: every pair's correlation and count in one row. A sum is
    -- non-null exactly when both measures are.
    select
        {% for measure_a, measure_b in pairs -%}
            corr({{ measure_a }}, {{ measure_b }}) as correlation_{{ loop.index }},
            count({{ measure_a }} + {{ measure_b }}) as customers_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from purchasers
),

upper_triangle as (
    -- `correlation` is the mart's public column name, though sqlfluff reads it as a keyword.
    {% for measure_a, measure_b in pairs -%}
        select
            '{{ measure_a }}' as measure_a,
            '{{ measure_b }}' as measure_b,
            correlation_{{ loop.index }} as correlation,  -- noqa: RF04
            customers_{{ loop.index }} as customers
        from pair_statistics
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

mirrored as (
    select
        measure_b as measure_a,
        measure_a as measure_b,
        correlation,
        customers
    from upper_triangle
    where measure_a != measure_b
),

final as (
    select
        measure_a,
        measure_b,
        correlation,
        cast(customers as {{ dbt.type_bigint() }}) as customers
    from upper_triangle
    union all
    select
        measure_a,
        measure_b,
        correlation,
        cast(customers as {{ dbt.type_bigint() }}) as customers
    from mirrored
)

select * from final
