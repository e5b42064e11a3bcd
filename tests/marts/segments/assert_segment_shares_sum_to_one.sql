-- Assert that the segments' shares of customers add up to 1 (and their sizes to all customers).

with

profiles as (
    select * from {{ ref('segment_profiles') }}
),

customers as (
    select * from {{ ref('customers') }}
),

totals as (
    select
        sum(profiles.share_of_customers) as total_share,
        sum(profiles.customers) as segmented_customers,
        (select count(*) from customers) as all_customers
    from profiles
)

select * from totals
where
    segmented_customers > 0
    and (abs(total_share - 1) > 1e-9 or segmented_customers != all_customers)
