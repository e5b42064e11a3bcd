{#- One row per usable customer: the extra columns of the customers input (any column the
    contract does not name), as trimmed text named attribute__<column>. Only customer_id when the
    input has none (the sample, the Customer Personality Analysis file, derived customers). -#}
{%- set attributes = customer_attributes() -%}

with

usable_customers as (
    select * from {{ ref('base_shop__customers') }}
    where reject_reason is null
),

{% if attributes -%}
source_rows as (
    select * from {{ shop_input('customers') }}
),
{%- endif %}

final as (
    select
        {% for attribute in attributes -%}
            nullif(trim(cast(source_rows.attribute__{{ attribute.name }} as {{ dbt.type_string() }})), '')
                as attribute__{{ attribute.name }},
        {% endfor -%}
        usable_customers.customer_id
    from usable_customers
    {% if attributes -%}
        inner join source_rows
            on usable_customers.source_row_number = source_rows.source_row_number
    {%- endif %}
)

select * from final
