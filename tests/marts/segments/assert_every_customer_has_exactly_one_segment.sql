-- Assert that every customer in marts.customers has exactly one K-means segment.

with

customers as (
    select customer_id from {{ ref('customers') }}
),

segment_counts as (
    select
        customer_id,
        count(*) as segments
    from {{ ref('customer_segments') }}
    group by customer_id
),

checked as (
    select
        customers.customer_id,
        coalesce(segment_counts.segments, 0) as segments
    from customers
    left join segment_counts
        on customers.customer_id = segment_counts.customer_id
)

select * from checked
where segments != 1
