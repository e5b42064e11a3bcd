{# The canonical raw contract: per input, its required and optional columns in order. #}
{% macro input_contract() -%}
    {{ return({
        'customers': {
            'required': ['customer_id'],
            'optional': ['signup_date', 'birth_year', 'gender', 'education', 'marital_status',
                         'income', 'kids_home', 'teens_home'],
        },
        'orders': {
            'required': ['customer_id', 'order_date', 'amount'],
            'optional': ['order_id', 'quantity', 'category', 'channel', 'is_deal'],
        },
        'campaigns': {
            'required': ['campaign_id'],
            'optional': ['campaign_name', 'channel', 'start_date', 'cost_per_contact',
                         'revenue_per_response'],
        },
        'campaign_contacts': {
            'required': ['campaign_id', 'customer_id', 'responded'],
            'optional': ['contact_date', 'variant', 'response_revenue'],
        },
        'purchase_summaries': {
            'required': ['customer_id'],
            'optional': ['reference_date', 'recency_days', 'orders_count', 'deal_purchases',
                         'web_visits_per_month', 'spend_wines', 'spend_meat', 'spend_fruits',
                         'spend_fish', 'spend_sweets', 'spend_gold', 'purchases_web',
                         'purchases_catalog', 'purchases_store'],
        },
    }) }}
{%- endmacro %}
