{#- One row per ordered pair of the main customer measures of marts.customers (the full matrix,
    the diagonal included): Pearson's correlation over the customers with a purchase and both
    measures known, and how many customers that is. The same figure as pandas DataFrame.corr(). -#}
{#- The main customer measures (value, frequency, recency, household, deals, campaigns). The
    matrix is one wide query with a column per pair, so each measure added costs a pair per
    measure; spend and purchases by category and channel are in segment_profiles and
    demographic_insights as shares. -#}
{%- set measures = [
    'income_clean', 'age', 'household_size', 'kids_home', 'teens_home', 'tenure_days',
    'recency_days', 'orders_count', 'net_revenue', 'avg_order_value', 'deal_share',
    'campaigns_accepted'
] -%}
{#- Each unordered pair is computed once (the diagonal included); every ordered pair reads it. -#}
{%- set pairs = [] -%}
{%- for measure_a in measures -%}
    {%- for measure_b in measures[loop.index0:] -%}
        {%- do pairs.append((measure_a, measure_b)) -%}
    {%- endfor -%}
{%- endfor -%}
{%- set ordered_pairs = [] -%}
{%- for measure_a, measure_b in pairs -%}
    {%- do ordered_pairs.append((loop.index, measure_a, measure_b)) -%}
    {%- if measure_a != measure_b -%}
        {%- do ordered_pairs.append((loop.index, measure_b, measure_a)) -%}
    {%- endif -%}
{%- endfor %}

with

customers as (
    select * from {{ ref('customers') }}
),

purchasers as (
    -- Non-buyers are zero on every purchase measure: they would make every pair look related.
    select
        {% for measure in measures -%}
            {{ as_double(measure) }} as {{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from customers
    where has_purchased
),

pair_statistics as (
    -- One pass over the customers and one row: every pair's correlation and count (a sum is
    -- non-null exactly when both measures are).
    select
        {% for measure_a, measure_b in pairs -%}
            corr({{ measure_a }}, {{ measure_b }}) as correlation_{{ loop.index }},
            count({{ measure_a }} + {{ measure_b }}) as customers_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from purchasers
),

ordered_pairs as (
    -- Both orders of every pair, each pointing at its computed pair: the statistics row is read
    -- once (one branch per pair would make some engines recompute it for each).
    select
        pair_list.pair_index,
        pair_list.measure_a,
        pair_list.measure_b
    from (
        values
        {% for pair_index, measure_a, measure_b in ordered_pairs -%}
            ({{ pair_index }}, '{{ measure_a }}', '{{ measure_b }}'){% if not loop.last %},{% endif %}
        {% endfor %}
    ) as pair_list (pair_index, measure_a, measure_b)
),

unpivoted as (
    select
        ordered_pairs.measure_a,
        ordered_pairs.measure_b,
        case ordered_pairs.pair_index
            {% for pair in pairs -%}
                when {{ loop.index }} then pair_statistics.correlation_{{ loop.index }}
            {% endfor -%}
        end as raw_correlation,
        case ordered_pairs.pair_index
            {% for pair in pairs -%}
                when {{ loop.index }} then pair_statistics.customers_{{ loop.index }}
            {% endfor -%}
        end as customers
    from ordered_pairs
    cross join pair_statistics
),

defined as (
    -- Undefined (a constant measure) is null on every engine.
    select
        measure_a,
        measure_b,
        customers,
        {{ nan_to_null('raw_correlation') }} as defined_correlation
    from unpivoted
),

final as (
    -- Rounding never leaves [-1, 1] (least / greatest would turn a null into a bound). Pairs
    -- without a customer who has both measures are left out.
    select
        measure_a,
        measure_b,
        case
            when defined_correlation > 1 then 1.0e0
            when defined_correlation < -1 then -1.0e0
            else defined_correlation
        end as correlation,  -- noqa: RF04
        cast(customers as {{ dbt.type_bigint() }}) as customers
    from defined
    where customers > 0
)

select * from final
