{#- One row per experiment x non-control arm x segment type x segment (RFM segment, K-means
    segment, age band, income band): conversion lift and revenue-per-customer difference against
    the control customers of the same segment, with (1 - ab_alpha) intervals and p-values, the
    p-values adjusted for the many cells read at once (Holm and Benjamini-Hochberg within each
    experiment arm and metric), and a flag for cells too small to read (fewer than var
    ab_min_cell_customers customers in either arm). "Who does the treatment work on". -#}
{%- set alpha = setting('ab_alpha') -%}
{%- set min_cell = setting('ab_min_cell_customers') -%}
{%- set metrics = ['conversion', 'revenue'] -%}

with

contacts as (
    select * from {{ ref('int_campaign_contacts_classified') }}
    where is_experiment
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

customers as (
    select * from {{ ref('customers') }}
),

age_ranges as (
    select * from {{ ref('age_ranges') }}
),

income_ranges as (
    select * from {{ ref('income_ranges') }}
),

segment_memberships as (
    {{ segment_memberships(
        'contacts',
        ['campaign_id', 'customer_id', 'variant', 'is_control', 'responded', 'response_revenue'],
        ['rfm', 'kmeans', 'age', 'income']
    ) }}
),

arm_cells as (
    select
        campaign_id,
        variant,
        segment_type,
        segment_id,
        {{ any_value('segment_name') }} as segment_name,
        {{ any_value('is_control') }} as is_control,
        count(*) as customers,
        count(*) filter (where responded) as conversions,
        avg(coalesce(response_revenue, 0)) as revenue_mean,
        var_samp(coalesce(response_revenue, 0)) as revenue_variance
    from segment_memberships
    group by campaign_id, variant, segment_type, segment_id
),

paired as (
    -- A treatment arm's cell and the control cell of the same segment.
    select
        treatment_cells.campaign_id,
        treatment_cells.variant,
        treatment_cells.segment_type,
        treatment_cells.segment_id,
        treatment_cells.segment_name,
        treatment_cells.customers as n_treatment,
        coalesce(control_cells.customers, 0) as n_control,
        treatment_cells.conversions as conversions_treatment,
        coalesce(control_cells.conversions, 0) as conversions_control,
        treatment_cells.revenue_mean as revenue_mean_treatment,
        control_cells.revenue_mean as revenue_mean_control,
        treatment_cells.revenue_variance as revenue_variance_treatment,
        control_cells.revenue_variance as revenue_variance_control
    from arm_cells as treatment_cells
    left join arm_cells as control_cells
        on treatment_cells.campaign_id = control_cells.campaign_id
            and treatment_cells.segment_type = control_cells.segment_type
            and treatment_cells.segment_id = control_cells.segment_id
            and control_cells.is_control
    where not treatment_cells.is_control
),

tested as (
    {{ arm_comparison('paired', alpha) }}
),

ranked as (
    -- Each metric's family: the cells with a p-value of one experiment arm, ranked by p-value.
    select
        *,
        {% for metric in metrics -%}
            count({{ metric }}_p_value) over (partition by campaign_id, variant)
                as {{ metric }}_tests,
            row_number() over (
                partition by campaign_id, variant, {{ metric }}_p_value is null
                order by {{ metric }}_p_value, segment_type, segment_id
            ) as {{ metric }}_rank{% if not loop.last %},{% endif %}
        {% endfor %}
    from tested
),

scaled as (
    -- Holm scales the p-value of rank i by (m - i + 1), Benjamini-Hochberg by m / i.
    select
        *,
        {% for metric in metrics -%}
            {{ metric }}_p_value * ({{ metric }}_tests - {{ metric }}_rank + 1) as {{ metric }}_holm_term,
            {{ metric }}_p_value * {{ metric }}_tests / {{ metric }}_rank
                as {{ metric }}_bh_term{% if not loop.last %},{% endif %}
        {% endfor %}
    from ranked
),

adjusted as (
    -- Holm: the running maximum of its terms in rank order. Benjamini-Hochberg: the running
    -- minimum of its terms from the largest p-value down. Both capped at 1. Cells without a
    -- p-value form their own partition, so they stay null.
    select
        *,
        {% for metric in metrics -%}
            least(1.0e0, max({{ metric }}_holm_term) over (
                partition by campaign_id, variant, {{ metric }}_p_value is null
                order by {{ metric }}_rank
                rows between unbounded preceding and current row
            )) as {{ metric }}_p_holm,
            least(1.0e0, min({{ metric }}_bh_term) over (
                partition by campaign_id, variant, {{ metric }}_p_value is null
                order by {{ metric }}_rank desc
                rows between unbounded preceding and current row
            )) as {{ metric }}_p_bh{% if not loop.last %},{% endif %}
        {% endfor %}
    from scaled
),

final as (
    select
        campaign_id,
        variant,
        segment_type,
        segment_id,
        segment_name,
        n_treatment,
        n_control,
        conversion_rate_treatment,
        conversion_rate_control,
        conversion_lift_abs,
        conversion_ci_low,
        conversion_ci_high,
        conversion_p_value,
        conversion_p_holm,
        conversion_p_bh,
        revenue_mean_treatment as revenue_per_customer_treatment,
        revenue_mean_control as revenue_per_customer_control,
        revenue_diff,
        revenue_ci_low,
        revenue_ci_high,
        revenue_p_value,
        revenue_p_holm,
        revenue_p_bh,
        n_treatment < {{ min_cell }} or n_control < {{ min_cell }} as is_too_small,
        coalesce(
            n_treatment >= {{ min_cell }} and n_control >= {{ min_cell }} and conversion_p_bh < {{ alpha }},
            false
        ) as is_conversion_significant,
        coalesce(
            n_treatment >= {{ min_cell }} and n_control >= {{ min_cell }} and revenue_p_bh < {{ alpha }},
            false
        ) as is_revenue_significant
    from adjusted
)

select * from final
