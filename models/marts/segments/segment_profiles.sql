{#- One row per K-means segment: size, share of customers and revenue, demographics, RFM averages
    and tenure, what it buys and where (category and channel shares, the top of each), deal
    share, how campaign responders spend against the others, broadcast campaign response and
    ROI, average CLV (heuristic and BG/NBD) and the spread of BG/NBD CLV, and a targeting
    recommendation by the break-even rule. -#}
{%- set category_shares = prefixed('spend_share_', product_categories()) -%}
{%- set clv_quantiles = {'p05': 0.05, 'p25': 0.25, 'median': 0.5, 'p75': 0.75, 'p95': 0.95} -%}
{%- set channel_shares = prefixed('purchase_share_', purchase_channels()) %}

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
        customer_clv.heuristic_clv_12m,
        customer_clv.predicted_clv_12m
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
        avg(tenure_days) as avg_tenure_days,
        avg(orders_count) as avg_frequency,
        avg(net_revenue) as avg_monetary,
        avg(heuristic_clv_12m) as avg_clv,
        avg(predicted_clv_12m) as avg_predicted_clv_12m,
        {% for name, fraction in clv_quantiles.items() -%}
            {{ quantile('predicted_clv_12m', fraction) }} as predicted_clv_12m_{{ name }},
        {% endfor -%}
        {{ mix_shares() }}
        {{ safe_divide(
            'sum(case when campaigns_accepted > 0 then 1 else 0 end)', 'count(*)'
        ) }} as campaign_responder_share,
        avg(case when campaigns_accepted > 0 then net_revenue end) as avg_spend_campaign_responders,
        avg(case when campaigns_accepted = 0 then net_revenue end) as avg_spend_non_responders,
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
        {{ label_of_largest(product_categories(), category_shares) }} as top_category,
        {{ label_of_largest(purchase_channels(), channel_shares) }} as top_channel,
        case
            when response_rate is null then 'no campaign history'
            else {{ campaign_recommendation('response_rate', 'break_even_response_rate') }}
        end as recommendation,
        customers,
        customers / sum(customers) over () as share_of_customers,
        {{ safe_divide('revenue', 'sum(revenue) over ()') }} as share_of_revenue,
        {{ cents('avg_income') }} as avg_income,
        avg_age,
        avg_household_size,
        avg_recency_days,
        avg_tenure_days,
        avg_frequency,
        {{ cents('avg_monetary') }} as avg_monetary,
        deal_share,
        {% for column in category_shares + channel_shares -%}
            {{ column }},
        {% endfor -%}
        campaign_responder_share,
        {{ cents('avg_spend_campaign_responders') }} as avg_spend_campaign_responders,
        {{ cents('avg_spend_non_responders') }} as avg_spend_non_responders,
        response_rate,
        campaign_roi,
        break_even_response_rate,
        {{ cents('avg_clv') }} as avg_clv,
        {{ cents('avg_predicted_clv_12m') }} as avg_predicted_clv_12m,
        {% for name in clv_quantiles -%}
            {{ cents('predicted_clv_12m_' ~ name) }} as predicted_clv_12m_{{ name }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from measured
)

select * from final
