{# What an absent input becomes: customers and campaigns derived from the inputs that mention them, else empty. #}
{% macro derived_input(entity) -%}
    {%- set where = "in '" ~ setting('input_path') ~ "'" if setting('input') == 'files'
                    else 'in schema ' ~ setting('input_schema') -%}
    {%- if entity == 'customers' -%}
        {%- do log("Input 'customers': none " ~ where ~ "; customers are derived from orders and "
                   ~ "campaign contacts (signup = first order), demographics are null.", info=True) -%}
        (
            select
                customer_id,
                cast(min(first_seen_date) as {{ dbt.type_string() }}) as signup_date,
                {% for column in input_contract()['customers'].optional[1:] -%}
                cast(null as {{ dbt.type_string() }}) as {{ column }},
                {% endfor -%}
                cast(null as bigint) as source_row_number,
                cast(null as {{ dbt.type_string() }}) as source_row_issue
            from (
                select
                    {{ text_id('customer_id') }} as customer_id,
                    {{ parse_date('order_date') }} as first_seen_date
                from {{ contract_input('orders') }} as order_rows
                where source_row_issue is null
                union all
                select
                    {{ text_id('customer_id') }} as customer_id,
                    cast(null as date) as first_seen_date
                from {{ contract_input('campaign_contacts') }} as contact_rows
                where source_row_issue is null
            ) as mentions
            -- Only keys that can be customers: the rows with bad keys are rejected with their input.
            where customer_id is not null
            group by customer_id
        )
    {%- elif entity == 'campaigns' -%}
        {%- do log("Input 'campaigns': none " ~ where ~ "; campaigns are derived from campaign "
                   ~ "contacts, without names, costs or revenue per response.", info=True) -%}
        (
            select
                campaign_id,
                {% for column in input_contract()['campaigns'].optional -%}
                cast(null as {{ dbt.type_string() }}) as {{ column }},
                {% endfor -%}
                cast(null as bigint) as source_row_number,
                cast(null as {{ dbt.type_string() }}) as source_row_issue
            from (
                select distinct {{ text_id('campaign_id') }} as campaign_id
                from {{ contract_input('campaign_contacts') }} as contact_rows
                where source_row_issue is null
            ) as mentions
            where campaign_id is not null
        )
    {%- else -%}
        {%- set consequences = {
            'orders': 'order-level marts (orders, sales_monthly, sales_seasonality, cohort_retention, '
                      ~ 'customer_rfm, customer_clv) have zero rows',
            'campaign_contacts': 'campaign marts (campaign_performance, ab_test_results) have zero rows',
        } -%}
        {%- do log("Input '" ~ entity ~ "': none " ~ where ~ "; treated as empty, so "
                   ~ consequences.get(entity, 'it contributes no rows') ~ ".", info=True) -%}
        {{ empty_input(entity) }}
    {%- endif -%}
{%- endmacro %}
