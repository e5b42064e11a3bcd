{#- One row per campaign x segment type x segment, plus one 'all' row (segment 0) per campaign: contacts,
    responses, revenue, cost, profit and ROI of the treated contacts, as attributed (gross); for
    experiments also the incremental responses, revenue, profit and ROI against the control arm,
    with a (1 - ab_alpha) interval on incremental profit; and a targeting recommendation that
    follows incremental profit for experiments and the break-even rule for broadcasts. -#}
{%- set alpha = setting('ab_alpha') -%}

with

contacts as (
    select * from {{ ref('int_campaign_contacts_classified') }}
),

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

-- Every contact counts once per segment type, and once more in the campaign total.
segment_memberships as (
    {{ segment_memberships(
        'contacts',
        ['campaign_id', 'customer_id', 'is_control', 'responded', 'response_revenue'],
        ['rfm', 'kmeans', 'all']
    ) }}
),

aggregated as (
    -- Treated contacts (every contact of a broadcast, the non-control arms of an experiment) and
    -- control contacts, side by side.
    select
        campaign_id,
        segment_type,
        segment_id,
        {{ any_value('segment_name') }} as segment_name,
        count(*) filter (where not is_control) as n_treatment,
        count(*) filter (where is_control) as n_control,
        count(*) filter (where responded and not is_control) as conversions_treatment,
        count(*) filter (where responded and is_control) as conversions_control,
        coalesce(sum(response_revenue) filter (where not is_control), 0) as revenue,
        avg(coalesce(response_revenue, 0)) filter (where not is_control) as revenue_mean_treatment,
        avg(coalesce(response_revenue, 0)) filter (where is_control) as revenue_mean_control,
        var_samp(coalesce(response_revenue, 0)) filter (where not is_control)
            as revenue_variance_treatment,
        var_samp(coalesce(response_revenue, 0)) filter (where is_control) as revenue_variance_control
    from segment_memberships
    group by campaign_id, segment_type, segment_id
),

treated_cells as (
    select
        aggregated.*,
        aggregated.n_treatment * campaigns.cost_per_contact as cost,
        campaigns.campaign_name,
        campaigns.start_date as campaign_start_date,
        campaigns.break_even_response_rate,
        campaigns.is_experiment
    from aggregated
    inner join campaigns
        on aggregated.campaign_id = campaigns.campaign_id
    where aggregated.n_treatment > 0
),

tested as (
    {{ arm_comparison('treated_cells', alpha) }}
),

incremental as (
    -- Experiments only: the difference per contacted customer, scaled to the treated contacts.
    select
        *,
        case when is_experiment then conversion_lift_abs * n_treatment end as incremental_responses,
        case when is_experiment then revenue_diff * n_treatment end as incremental_revenue,
        case when is_experiment then revenue_diff * n_treatment - cost end as incremental_profit,
        case when is_experiment then revenue_ci_low * n_treatment - cost end
            as incremental_profit_ci_low,
        case when is_experiment then revenue_ci_high * n_treatment - cost end
            as incremental_profit_ci_high
    from tested
),

final as (
    select
        campaign_id,
        segment_type,
        segment_id,
        segment_name,
        campaign_name,
        case
            when is_experiment
                then {{ experiment_recommendation(
                    'incremental_profit_ci_low', 'incremental_profit_ci_high'
                ) }}
            else {{ campaign_recommendation('conversion_rate_treatment', 'break_even_response_rate') }}
        end as recommendation,
        n_treatment as contacts,
        conversions_treatment as responses,
        conversion_rate_treatment as response_rate,
        {{ cents('revenue') }} as revenue,
        {{ cents('cost') }} as cost,
        {{ cents('revenue - cost') }} as profit,
        {{ return_on_cost('revenue', 'cost') }} as roi,
        break_even_response_rate,
        campaign_start_date,
        case when is_experiment then 'incremental' else 'gross' end as attribution,
        case when is_experiment then n_control end as control_contacts,
        incremental_responses,
        {{ cents('incremental_revenue') }} as incremental_revenue,
        {{ cents('incremental_profit') }} as incremental_profit,
        {{ return_on_cost('incremental_revenue', 'cost') }} as incremental_roi,
        {{ cents('incremental_profit_ci_low') }} as incremental_profit_ci_low,
        {{ cents('incremental_profit_ci_high') }} as incremental_profit_ci_high
    from incremental
)

select * from final
