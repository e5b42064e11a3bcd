{#- Every raw campaign row, typed, with the reason it cannot be used (null when it can). -#}

with

source_rows as (
    select * from {{ shop_input('campaigns') }}
),

typed as (
    select
        try_cast(campaign_id as bigint) as campaign_id,
        cast(campaign_id as varchar) as source_key,
        nullif(trim(cast(campaign_name as varchar)), '') as campaign_name,
        nullif(lower(trim(cast(channel as varchar))), '') as channel,
        {{ parse_date('start_date') }} as start_date,
        try_cast(cost_per_contact as double) as cost_per_contact,
        try_cast(revenue_per_response as double) as revenue_per_response,
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
