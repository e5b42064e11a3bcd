{#- One row per demographic dimension x value: who spends on what, who buys where, who answers
    campaigns. Spend and purchase shares are of the group's totals. Customers whose value is
    unknown for a dimension (no gender in the input) are left out of that dimension only. -#}
{%- set dimensions = ['age_range', 'income_range', 'education_level', 'marital_group',
                      'household_size', 'has_children', 'gender'] -%}

with

customers as (
    select * from {{ ref('customers') }}
),

aggregated as (
    -- Each dimension aggregated on its own and the results stacked: a customer is read once per
    -- dimension, and no long form of every customer x dimension is joined back to the customers.
    {% for dimension in dimensions -%}
        select
            '{{ dimension }}' as dimension,
            cast({{ dimension }} as {{ dbt.type_string() }}) as value,
            count(*) as customers,
            {{ cents('avg(net_revenue)') }} as avg_spend,
            {{ mix_shares() }}
            {{ safe_divide('sum(deal_purchases)', 'sum(orders_count)') }} as deal_share,
            {{ safe_divide('sum(campaigns_accepted)', 'sum(campaigns_contacted)') }} as response_rate,
            avg(recency_days) as avg_recency_days
        from customers
        where {{ dimension }} is not null
        group by cast({{ dimension }} as {{ dbt.type_string() }})
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select * from aggregated
)

select * from final
