-- The correlation matrix of the main customer measures (long form: one row per pair), with
-- DuckDB's corr(). Compile with `dbt compile --select correlations` and run the SQL in
-- target/compiled, or paste it into any DuckDB client.
{%- set measures = ['income_clean', 'age', 'household_size', 'kids_home', 'teens_home',
                    'recency_days', 'orders_count', 'net_revenue', 'avg_order_value',
                    'deal_share', 'campaigns_accepted'] %}
{%- set measure_pairs = [] %}
{%- for left_measure in measures %}{% for right_measure in measures %}
    {%- do measure_pairs.append((left_measure, right_measure)) %}
{%- endfor %}{% endfor %}

with

customers as (
    select * from {{ ref('customers') }}
    where has_purchased
),

pairs as (
    {% for left_measure, right_measure in measure_pairs -%}
    select
        '{{ left_measure }}' as measure_x,
        '{{ right_measure }}' as measure_y,
        corr({{ left_measure }}, {{ right_measure }}) as correlation_coefficient
    from customers
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
)

select * from pairs
order by measure_x, measure_y
