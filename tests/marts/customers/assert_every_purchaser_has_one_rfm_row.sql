-- Assert that customer_rfm holds exactly the customers with a purchase: none missing, none extra.

with

purchasers as (
    select customer_id from {{ ref('customers') }}
    where has_purchased
),

rfm as (
    select customer_id from {{ ref('customer_rfm') }}
),

mismatches as (
    select
        coalesce(purchasers.customer_id, rfm.customer_id) as customer_id,
        purchasers.customer_id is null as is_extra_in_rfm
    from purchasers
    full outer join rfm
        on purchasers.customer_id = rfm.customer_id
    where purchasers.customer_id is null or rfm.customer_id is null
)

select * from mismatches
