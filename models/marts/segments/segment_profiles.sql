{#- One row per K-means segment: size, share of customers and revenue, demographics, RFM averages,
    top category and channel, deal share, broadcast campaign response and ROI, average CLV, and a
    targeting recommendation by the break-even rule. -#}
{%- set category_spends = [] -%}
{%- for category in product_categories() -%}
    {%- do category_spends.append('spend_' ~ category) -%}
{%- endfor -%}
{%- set channel_purchases = [] -%}
{%- for channel in purchase_channels() -%}
    {%- do channel_purchases.append('purchases_' ~ channel) -%}
{%- endfor %}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

customers as (
    select * from {{ ref('customers') }}
),

customer_clv as (
    select * from {{ ref('customer_clv') }}
),

broadcast_contacts as (
    -- Broadcast campaigns only: a test's arms answer a different question.
    select * from {{ ref('int_campaign_contacts_classified') }}
    where not is_experiment
),

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

segment_customers as (
    select
        customer_segments.segment_id,
        customer_segments.segment_name,
        customers.*,
        customer_clv.heuristic_clv_12m
    from customer_segments
    inner join customers
        on customer_segments.customer_id = customers.customer_id
    left join customer_clv
        on customer_segments.customer_id = customer_clv.customer_id
),

profiles as (
    select
        segment_id,
        {{ any_value('segment_name') }} as segment_name,
        count(*) as customers,
        sum(net_revenue) as revenue,
        avg(income_clean) as avg_income,
        avg(age) as avg_age,
        avg(household_size) as avg_household_size,
        avg(recency_days) as avg_recency_days,
        avg(orders_count) as avg_frequency,
        avg(net_revenue) as avg_monetary,
        avg(heuristic_clv_12m) as avg_clv,
        {% for column in category_spends -%}
            sum(greatest({{ column }}, 0)) as total_{{ column }},
        {% endfor -%}
        {% for column in channel_purchases -%}
            sum({{ column }}) as total_{{ column }},
        {% endfor -%}
        {{ safe_divide('sum(deal_purchases)', 'sum(orders_count)') }} as deal_share
    from segment_customers
    group by segment_id
),

broadcast_responses as (
    select
        customer_segments.segment_id,
        count(*) as contacts,
        count(*) filter (where broadcast_contacts.responded) as responses,
        sum(broadcast_contacts.response_revenue) as revenue,
        sum(campaigns.cost_per_contact) as cost,
        sum(campaigns.revenue_per_response) as revenue_at_full_response
    from broadcast_contacts
    inner join campaigns
        on broadcast_contacts.campaign_id = campaigns.campaign_id
    inner join customer_segments
        on broadcast_contacts.customer_id = customer_segments.customer_id
    group by customer_segments.segment_id
),

measured as (
    select
        profiles.*,
        {{ safe_divide('broadcast_responses.responses', 'broadcast_responses.contacts') }} as response_rate,
        {{ return_on_cost('broadcast_responses.revenue', 'broadcast_responses.cost') }}
            as campaign_roi,
        -- Contact cost over the revenue a contact would earn if it always responded.
        {%- set full_response = 'broadcast_responses.revenue_at_full_response' %}
        {{ break_even_response_rate('broadcast_responses.cost', full_response) }}
            as break_even_response_rate
    from profiles
    left join broadcast_responses
        on profiles.segment_id = broadcast_responses.segment_id
),

final as (
    select
        segment_id,
        segment_name,
        {{ label_of_largest(product_categories(), prefixed('total_', category_spends)) }} as top_category,
        {{ label_of_largest(purchase_channels(), prefixed('total_', channel_purchases)) }} as top_channel,
        case
            when response_rate is null then 'no campaign history'
            else {{ campaign_recommendation('response_rate', 'break_even_response_rate') }}
        end as recommendation,
        customers,
        customers / sum(customers) over () as share_of_customers,
        {{ safe_divide('revenue', 'sum(revenue) over ()') }} as share_of_revenue,
        avg_income,
        avg_age,
        avg_household_size,
        avg_recency_days,
        avg_frequency,
        avg_monetary,
        deal_share,
        response_rate,
        campaign_roi,
        break_even_response_rate,
        avg_clv
    from measured
)

select * from final
