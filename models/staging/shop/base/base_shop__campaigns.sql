{#- Every raw campaign row, typed, with the reason it cannot be used (null when it can). -#}

with

source_rows as (
    select * from {{ shop_input('campaigns') }}
),

typed as (
    select
        {{ text_id('campaign_id') }} as campaign_id,
        cast(campaign_id as {{ dbt.type_string() }}) as source_key,
        nullif(trim(cast(campaign_name as {{ dbt.type_string() }})), '') as campaign_name,
        nullif(lower(trim(cast(channel as {{ dbt.type_string() }}))), '') as channel,
        {{ parse_date('start_date') }} as start_date,
        {{ safe_cast('cost_per_contact', 'double') }} as cost_per_contact,
        {{ safe_cast('revenue_per_response', 'double') }} as revenue_per_response,
        source_row_number,
        source_row_issue
    from source_rows
),

validated as (
    select
        *,
        case
            when source_row_issue is not null then source_row_issue
            when campaign_id is null then 'missing campaign_id'
            when start_date not between {{ setting_literal('min_plausible_date') }}
                and {{ setting_literal('max_plausible_date') }}
                then 'start_date outside min_plausible_date..max_plausible_date'
            when abs(cost_per_contact) > {{ setting_literal('max_plausible_amount') }}
                or abs(revenue_per_response) > {{ setting_literal('max_plausible_amount') }}
                then 'cost_per_contact or revenue_per_response not finite or beyond max_plausible_amount'
            when row_number() over (
                    partition by campaign_id order by source_row_number, start_date, campaign_name
                ) > 1 then 'duplicate campaign_id'
        end as reject_reason
    from typed
)

select * from validated
