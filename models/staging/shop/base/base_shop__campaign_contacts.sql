{#- Every raw campaign contact row, typed, with the reason it cannot be used (null when it can). -#}

with

source_rows as (
    select * from {{ shop_input('campaign_contacts') }}
),

known_customers as (
    select customer_id from {{ ref('base_shop__customers') }}
    where reject_reason is null
),

known_campaigns as (
    select
        campaign_id,
        revenue_per_response
    from {{ ref('base_shop__campaigns') }}
    where reject_reason is null
),

typed as (
    select
        {{ text_id('campaign_id') }} as campaign_id,
        {{ text_id('customer_id') }} as customer_id,
        cast(campaign_id as {{ dbt.type_string() }})
        || ':' || cast(customer_id as {{ dbt.type_string() }}) as source_key,
        {{ parse_date('contact_date') }} as contact_date,
        coalesce(nullif(lower(trim(cast(variant as {{ dbt.type_string() }}))), ''), 'broadcast') as variant,
        {{ safe_cast('responded', 'boolean') }} as responded,
        {{ safe_cast('response_revenue', 'double') }} as response_revenue,
        source_row_number,
        source_row_issue
    from source_rows
),

with_revenue as (
    -- Without a response revenue, a response earns the campaign's revenue per response.
    select
        typed.campaign_id,
        typed.customer_id,
        typed.source_key,
        typed.contact_date,
        typed.variant,
        typed.responded,
        typed.source_row_number,
        typed.source_row_issue,
        coalesce(
            typed.response_revenue,
            case when typed.responded then known_campaigns.revenue_per_response else 0 end
        ) as response_revenue,
        typed.response_revenue is null as is_response_revenue_derived
    from typed
    left join known_campaigns
        on typed.campaign_id = known_campaigns.campaign_id
),

validated as (
    select
        *,
        case
            when source_row_issue is not null then source_row_issue
            when campaign_id is null then 'missing campaign_id'
            when customer_id is null then 'missing customer_id'
            when responded is null then 'missing or unparseable responded'
            when contact_date not between {{ setting_literal('min_plausible_date') }}
                and {{ setting_literal('max_plausible_date') }}
                then 'contact_date outside min_plausible_date..max_plausible_date'
            when abs(response_revenue) > {{ setting_literal('max_plausible_amount') }}
                then 'response_revenue not finite or beyond max_plausible_amount'
            when campaign_id not in (select known_campaigns.campaign_id from known_campaigns)
                then 'orphan contact: campaign_id not in campaigns'
            when customer_id not in (select known_customers.customer_id from known_customers)
                then 'orphan contact: customer_id not in customers'
            when row_number() over (
                    partition by campaign_id, customer_id order by source_row_number, contact_date, variant
                ) > 1 then 'duplicate campaign contact'
        end as reject_reason
    from with_revenue
)

select * from validated
