{#- One row per raw input row that could not be used, with the input it came from and why. -#}
{%- set inputs = [
    ('customers', 'base_shop__customers', "source_key"),
    ('orders', 'base_shop__orders', "order_id"),
    ('campaigns', 'base_shop__campaigns', "source_key"),
    ('campaign_contacts', 'base_shop__campaign_contacts', "source_key"),
    ('purchase_summaries', 'base_shop__purchase_summaries', "source_key"),
] -%}

with

{% for input_name, model, key in inputs %}
    {{ input_name }}_rejects as (
        select
            '{{ input_name }}' as input_name,
            cast({{ key }} as {{ dbt.type_string() }}) as row_key,
            source_row_number,
            reject_reason
        from {{ ref(model) }}
        where reject_reason is not null
    ),
{% endfor %}

unioned as (
    {% for input_name, _, _ in inputs -%}
        select * from {{ input_name }}_rejects
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}
),

final as (
    select
        -- Repeated keys (duplicates) are told apart by their position among the rejects.
        input_name || ':' || coalesce(row_key, '<null>') || ':'
        || row_number() over (partition by input_name, row_key order by reject_reason) as rejected_row_id,
        input_name,
        row_key,
        reject_reason,
        source_row_number
    from unioned
)

select * from final
