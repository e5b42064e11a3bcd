{# An input in the canonical contract mapped from the Customer Personality Analysis file (var input_path). #}
{% macro marketing_campaign_input(entity) -%}
    {#- The file has one row per customer and no order lines. Demographics become customers; the
        spend and purchase columns become a purchase summary; AcceptedCmp1-5 and Response become
        six campaigns contacting every customer, priced by the constant Z_CostContact and
        Z_Revenue columns (used, not carried as features). -#}
    {%- set path = var('input_path', none) -%}
    {%- if path is none -%}
        {{ exceptions.raise_compiler_error("var input_path (the marketing_campaign file) is required with input: marketing_campaign") }}
    {%- endif -%}
    {%- set categories = {'wines': 'MntWines', 'fruits': 'MntFruits', 'meat': 'MntMeatProducts',
                          'fish': 'MntFishProducts', 'sweets': 'MntSweetProducts', 'gold': 'MntGoldProds'} -%}
    {%- set channels = {'web': 'NumWebPurchases', 'catalog': 'NumCatalogPurchases', 'store': 'NumStorePurchases'} -%}
    {%- set campaign_columns = ['AcceptedCmp1', 'AcceptedCmp2', 'AcceptedCmp3', 'AcceptedCmp4',
                                'AcceptedCmp5', 'Response'] -%}
    {%- set required = ['ID', 'Year_Birth', 'Education', 'Marital_Status', 'Income', 'Kidhome',
                        'Teenhome', 'Dt_Customer', 'Recency', 'NumDealsPurchases', 'NumWebVisitsMonth',
                        'Z_CostContact', 'Z_Revenue'] + categories.values() | list
                        + channels.values() | list + campaign_columns -%}
    {%- set reader = "read_csv('" ~ path ~ "', all_varchar = true, header = true)" -%}
    {%- if not execute -%}
        {{ return(empty_input(entity)) }}
    {%- endif -%}
    {%- set _ = input_columns({'reader': reader, 'location': 'file ' ~ path}, required, 'marketing_campaign') -%}
    {%- set file_rows -%}
        (select *, row_number() over () as source_row_number from {{ reader }})
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
                source_row_number
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
                source_row_number
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
                (select any_value("Z_CostContact") from {{ reader }}) as cost_per_contact,
                (select any_value("Z_Revenue") from {{ reader }}) as revenue_per_response,
                cast(null as bigint) as source_row_number
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
                source_row_number
            from {{ file_rows }}
            {% if not loop.last %}union all
            {% endif %}
            {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}
