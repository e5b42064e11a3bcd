{#- One row per demographic dimension x value: who spends on what, who buys where, who answers
    campaigns. Spend and purchase shares are of the group's totals. Customers whose value is
    unknown for a dimension (no gender in the input) are left out of that dimension only. -#}
{%- set dimensions = ['age_range', 'income_range', 'education_level', 'marital_group',
                      'household_size', 'has_children', 'gender'] -%}

with

customers as (
    select * from {{ ref('customers') }}
),

customer_dimensions as (
    -- Long form: each customer once per known dimension value, so one aggregation serves every
    -- dimension (a union rather than DuckDB's unpivot, which other engines spell differently).
    {% for dimension in dimensions -%}
        select
            '{{ dimension }}' as dimension,
            cast({{ dimension }} as {{ dbt.type_string() }}) as dimension_value,
            customer_id
        from customers
        where {{ dimension }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

joined as (
    select
        customer_dimensions.dimension,
        customer_dimensions.dimension_value,
        customers.*
    from customer_dimensions
    inner join customers
        on customer_dimensions.customer_id = customers.customer_id
),

aggregated as (
    select
        dimension,
        dimension_value as value,
        count(*) as customers,
        {{ cents('avg(net_revenue)') }} as avg_spend,
        {{ mix_shares() }}
        {{ safe_divide('sum(deal_purchases)', 'sum(orders_count)') }} as deal_share,
        {{ safe_divide('sum(campaigns_accepted)', 'sum(campaigns_contacted)') }} as response_rate,
        avg(recency_days) as avg_recency_days
    from joined
    group by dimension, dimension_value
),

final as (
    select * from aggregated
)

select * from final
