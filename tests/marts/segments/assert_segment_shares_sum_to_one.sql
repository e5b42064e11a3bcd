-- Assert that the segments' sizes add up to all customers and their shares to 1: an empty
-- segment_profiles passes only when there are no customers.

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
    coalesce(segmented_customers, 0) != all_customers
    or abs(coalesce(total_share, 1) - 1) > 1e-9
