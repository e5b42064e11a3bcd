{#- One row: the as-of date every recency, age and tenure is measured at. -#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

observed as (
    select max(order_date) + 1 as day_after_last_order
    from orders
    where not is_order_date_in_future
),

final as (
    select
        coalesce(
            {% if var('as_of_date', none) %}date '{{ var("as_of_date") }}'{% else %}null{% endif %},
            day_after_last_order,
            current_date
        ) as as_of_date
    from observed
)

select * from final
