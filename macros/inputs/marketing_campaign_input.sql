{# An input in the canonical contract mapped from the Customer Personality Analysis file (var input_path). #}
{% macro marketing_campaign_input(entity) -%}
    {#- The file has one row per customer and no order lines. Demographics become customers; the
        spend and purchase columns become a purchase summary; AcceptedCmp1-5 and Response become
        six campaigns contacting every customer, priced by the constant Z_CostContact and
        Z_Revenue columns (used, not carried as features). -#}
    {%- set categories = {'wines': 'MntWines', 'fruits': 'MntFruits', 'meat': 'MntMeatProducts',
                          'fish': 'MntFishProducts', 'sweets': 'MntSweetProducts', 'gold': 'MntGoldProds'} -%}
    {%- set channels = {'web': 'NumWebPurchases', 'catalog': 'NumCatalogPurchases', 'store': 'NumStorePurchases'} -%}
    {%- set campaign_columns = ['AcceptedCmp1', 'AcceptedCmp2', 'AcceptedCmp3', 'AcceptedCmp4',
                                'AcceptedCmp5', 'Response'] -%}
    {%- set required = ['ID', 'Year_Birth', 'Education', 'Marital_Status', 'Income', 'Kidhome',
                        'Teenhome', 'Dt_Customer', 'Recency', 'NumDealsPurchases', 'NumWebVisitsMonth',
                        'Z_CostContact', 'Z_Revenue'] + categories.values() | list
                        + channels.values() | list + campaign_columns -%}
    {%- if not execute -%}
        {{ return(empty_input(entity)) }}
    {%- endif -%}
    {%- set path = marketing_campaign_file() -%}
    {%- set located = delimited_file_reader(path) -%}
    {%- set _ = input_columns(located, required, 'marketing_campaign') -%}
    {%- set file_rows -%}
        (
            select
                *,
                {{ source_row_number() }} as source_row_number,
                {{ located.row_issue }} as source_row_issue
            from {{ located.reader }}
        )
    {%- endset -%}
    {%- if entity == 'customers' -%}
        (
            select
                "ID" as customer_id,
                "Dt_Customer" as signup_date,
                "Year_Birth" as birth_year,
                cast(null as varchar) as gender,
                "Education" as education,
                "Marital_Status" as marital_status,
                "Income" as income,
                "Kidhome" as kids_home,
                "Teenhome" as teens_home,
                source_row_number,
                source_row_issue
            from {{ file_rows }}
        )
    {%- elif entity == 'purchase_summaries' -%}
        (
            select
                "ID" as customer_id,
                cast(null as varchar) as reference_date,
                "Recency" as recency_days,
                cast(
                    {% for column in channels.values() %}try_cast("{{ column }}" as integer){% if not loop.last %} + {% endif %}{% endfor %}
                    as varchar
                ) as orders_count,
                "NumDealsPurchases" as deal_purchases,
                "NumWebVisitsMonth" as web_visits_per_month,
                {% for category, column in categories.items() -%}
                "{{ column }}" as spend_{{ category }},
                {% endfor -%}
                {% for channel, column in channels.items() -%}
                "{{ column }}" as purchases_{{ channel }},
                {% endfor -%}
                source_row_number,
                source_row_issue
            from {{ file_rows }}
        )
    {%- elif entity == 'orders' -%}
        {%- do log("Input 'marketing_campaign' has no order lines: order-level marts (orders, "
                   ~ "sales_monthly, sales_seasonality, cohort_retention) have zero rows.", info=True) -%}
        {{ empty_input(entity) }}
    {%- elif entity == 'campaigns' -%}
        (
            {% for column in campaign_columns -%}
            select
                '{{ loop.index }}' as campaign_id,
                '{{ "Last campaign (Response)" if column == "Response" else "Campaign " ~ loop.index }}'
                    as campaign_name,
                cast(null as varchar) as channel,
                cast(null as varchar) as start_date,
                (select any_value("Z_CostContact") from {{ file_rows }} as read_rows where source_row_issue is null) as cost_per_contact,
                (select any_value("Z_Revenue") from {{ file_rows }} as read_rows where source_row_issue is null) as revenue_per_response,
                cast(null as bigint) as source_row_number,
                cast(null as varchar) as source_row_issue
            {% if not loop.last %}union all
            {% endif %}
            {%- endfor %}
        )
    {%- elif entity == 'campaign_contacts' -%}
        (
            {% for column in campaign_columns -%}
            select
                '{{ loop.index }}' as campaign_id,
                "ID" as customer_id,
                "{{ column }}" as responded,
                cast(null as varchar) as contact_date,
                cast(null as varchar) as variant,
                case when "{{ column }}" = '1' then "Z_Revenue" else '0' end as response_revenue,
                source_row_number,
                source_row_issue
            from {{ file_rows }}
            {% if not loop.last %}union all
            {% endif %}
            {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}
