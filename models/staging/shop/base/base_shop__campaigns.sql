{#- Every raw campaign row, typed, with the reason it cannot be used (null when it can). -#}

with

source_rows as (
    select * from {{ shop_input('campaigns') }}
),

typed as (
    select
        {{ safe_cast('campaign_id', 'bigint') }} as campaign_id,
        cast(campaign_id as {{ dbt.type_string() }}) as source_key,
        nullif(trim(cast(campaign_name as {{ dbt.type_string() }})), '') as campaign_name,
        nullif(lower(trim(cast(channel as {{ dbt.type_string() }}))), '') as channel,
        {{ parse_date('start_date') }} as start_date,
        {{ safe_cast('cost_per_contact', 'double') }} as cost_per_contact,
        {{ safe_cast('revenue_per_response', 'double') }} as revenue_per_response,
        source_row_number
    from source_rows
),

validated as (
    select
        *,
        case
            when source_key is null then 'missing campaign_id'
            when campaign_id is null then 'campaign_id is not an integer'
            when row_number() over (
                    partition by campaign_id order by source_row_number, start_date, campaign_name
                ) > 1 then 'duplicate campaign_id'
        end as reject_reason
    from typed
)

select * from validated
