{#- Raw campaign contacts in the canonical `campaign_contacts` contract. Broadcast responses depend
    on persona and purchase recency; the discount test randomizes customers 50/50 and plants a
    conversion lift that differs by persona (seed column ab_conversion_lift: some respond to the
    discount, some buy anyway, some are put off) and a lower spend per conversion (see
    sample_truth_facts and sample_truth_customers). -#}
{%- set schedule = sample_schedule() -%}
{%- set test = schedule.ab_test -%}

with

customer_params as (
    select * from {{ ref('sample_customer_params') }}
),

order_lines as (
    select * from {{ ref('sample_order_lines') }}
),

campaigns as (
    select * from {{ ref('sample_campaigns') }}
),

last_orders as (
    -- One pass over orders: the last purchase before each campaign, as filtered aggregates.
    select
        customer_id,
        {% for campaign in schedule.campaigns -%}
            max(order_date) filter (
                where order_date < (date '{{ schedule.start_date }}' + interval {{ campaign.months }} month)
            ) as last_order_before_{{ campaign.id }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from order_lines
    where amount > 0 and not is_planted_orphan
    group by customer_id
),

broadcast_eligible as (
    select
        campaigns.campaign_id,
        campaigns.start_date as contact_date,
        customer_params.customer_id,
        customer_params.response_logit,
        customer_params.signup_date + cast(round(customer_params.lifetime_years * 365.25) as integer)
        > campaigns.start_date as is_alive,
        case campaigns.campaign_id
            {% for campaign in schedule.campaigns -%}
                when {{ campaign.id }} then last_orders.last_order_before_{{ campaign.id }}
            {% endfor -%}
        end as last_order_date
    from customer_params
    inner join campaigns
        on customer_params.signup_date < campaigns.start_date
    left join last_orders
        on customer_params.customer_id = last_orders.customer_id
    where campaigns.campaign_id != {{ test.id }}
),

broadcast_contacts as (
    select
        campaign_id,
        customer_id,
        contact_date,
        'broadcast' as variant,
        {{ sample_uniform('response', 'campaign_id', 'customer_id') }}
        < 1.0 / (1.0 + exp(-(
            response_logit
            -- Recent buyers answer more; two years or more without a purchase counts as two.
            - 0.8 * least(2.0, coalesce(datediff('day', last_order_date, contact_date), 730) / 365.0)
            - case when is_alive then 0.0 else 1.0 end
        ))) as responded
    from broadcast_eligible
),

test_eligible as (
    select
        campaigns.campaign_id,
        campaigns.start_date as contact_date,
        customer_params.customer_id,
        customer_params.ab_order_value,
        customer_params.ab_conversion_lift,
        -- Lapsed customers convert less, in both arms alike.
        customer_params.ab_conversion_rate
        * case
            when customer_params.signup_date + cast(round(customer_params.lifetime_years * 365.25) as integer)
                > campaigns.start_date then 1.0
            else 0.4
        end as control_conversion_rate,
        case
            when {{ sample_uniform('ab_arm', 'customer_params.customer_id') }} < 0.5 then 'control'
            else '{{ test.variant }}'
        end as variant
    from customer_params
    inner join campaigns
        on customer_params.signup_date < campaigns.start_date
    where campaigns.campaign_id = {{ test.id }}
),

test_contacts as (
    select
        campaign_id,
        customer_id,
        contact_date,
        variant,
        ab_order_value,
        {{ sample_uniform('ab_convert', 'customer_id') }}
        < control_conversion_rate
        + case when variant = 'control' then 0.0 else ab_conversion_lift end as responded
    from test_eligible
),

final as (
    select
        broadcast_contacts.campaign_id,
        broadcast_contacts.customer_id,
        broadcast_contacts.contact_date,
        broadcast_contacts.variant,
        broadcast_contacts.responded,
        case when broadcast_contacts.responded then campaigns.revenue_per_response else 0.0 end
            as response_revenue
    from broadcast_contacts
    inner join campaigns
        on broadcast_contacts.campaign_id = campaigns.campaign_id
    union all
    select
        campaign_id,
        customer_id,
        contact_date,
        variant,
        responded,
        case
            when responded
                then round(
                        ab_order_value
                        * exp(0.4 * {{ sample_normal('ab_spend', 'customer_id') }} - 0.08)
                        * case when variant = 'control' then 1.0 else {{ sample_ab_spend_ratio() }} end,
                        2
                    )
            else 0.0
        end as response_revenue
    from test_contacts
)

select * from final
