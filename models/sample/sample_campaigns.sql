{#- Raw campaigns in the canonical `campaigns` contract: five broadcasts and one discount test. -#}
{%- set schedule = sample_schedule() -%}
{%- set test = schedule.ab_test -%}

with

campaign_calendar as (
    {% for campaign in schedule.campaigns %}
        select
            {{ campaign.id }} as campaign_id,
            '{{ campaign.name }}' as campaign_name,
            '{{ campaign.channel }}' as channel,
            (date '{{ schedule.start_date }}' + interval {{ campaign.months }} month)::date as start_date,
            3.0 as cost_per_contact,
            11.0 as revenue_per_response
        union all
    {% endfor %}
    select
        {{ test.id }} as campaign_id,
        '{{ test.name }}' as campaign_name,
        '{{ test.channel }}' as channel,
        (date '{{ schedule.start_date }}' + interval {{ test.months }} month)::date as start_date,
        -- An e-mail costs little; the revenue of a conversion is what the customer spends.
        0.5 as cost_per_contact,
        null as revenue_per_response
),

final as (
    select * from campaign_calendar
)

select * from final
