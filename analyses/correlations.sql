-- The correlation matrix of the main customer measures (long form: one row per pair), with
-- DuckDB's corr(). Compile with `dbt compile --select correlations` and run the SQL in
-- target/compiled, or paste it into any DuckDB client.
{%- set measures = ['income_clean', 'age', 'household_size', 'kids_home', 'teens_home',
                    'recency_days', 'orders_count', 'net_revenue', 'avg_order_value',
                    'deal_share', 'campaigns_accepted'] %}

with

customers as (
    select * from {{ ref('customers') }}
    where has_purchased
),

measures_as_double as (
    select
        {% for measure in measures -%}
            cast({{ measure }} as double) as {{ measure }},
        {% endfor -%}
        customer_id
    from customers
),

measures_long as (
    unpivot measures_as_double
    on {{ measures | join(', ') }}
    into name measure value measure_value
),

pairs as (
    select
        measure_x.measure as measure_x,
        measure_y.measure as measure_y,
        corr(measure_x.measure_value, measure_y.measure_value) as correlation_coefficient
    from measures_long as measure_x
    inner join measures_long as measure_y
        on measure_x.customer_id = measure_y.customer_id
    group by measure_x.measure, measure_y.measure
)

select * from pairs
order by measure_x, measure_y
