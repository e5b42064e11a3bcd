{#- One row per calendar month from the first to the last order month (months without orders
    included, with zeros): revenue net of returns, orders, customers, new customers, deals. -#}

with

orders as (
    select * from {{ ref('int_order_lines_classified') }}
    where is_counted
),

first_purchases as (
    select
        customer_id,
        min(order_date) as first_order_date
    from orders
    where not is_return
    group by customer_id
),

monthly_orders as (
    -- A line is an order (order_id is unique), so the month's orders are its purchase lines.
    select
        {{ month_of('order_date') }} as month_start,
        {{ money_sum('amount') }} as revenue,
        coalesce({{ money_sum('amount', 'is_deal') }}, 0) as deal_revenue,
        count(*) filter (where not is_return) as orders,
        count(distinct customer_id) filter (where not is_return) as customers
    from orders
    group by month_start
),

monthly_new_customers as (
    select
        {{ month_of('first_order_date') }} as month_start,
        count(*) as new_customers
    from first_purchases
    group by month_start
),

month_spine as (
    {{ period_spine(
        'month',
        '(select min(month_start) from monthly_orders)',
        '(select max(month_start) from monthly_orders)'
    ) }}
),

filled as (
    select
        month_spine.period_start as month_start,
        coalesce(monthly_orders.revenue, 0) as revenue,
        coalesce(monthly_orders.deal_revenue, 0) as deal_revenue,
        coalesce(monthly_orders.orders, 0) as orders,
        coalesce(monthly_orders.customers, 0) as customers,
        coalesce(monthly_new_customers.new_customers, 0) as new_customers
    from month_spine
    left join monthly_orders
        on month_spine.period_start = monthly_orders.month_start
    left join monthly_new_customers
        on month_spine.period_start = monthly_new_customers.month_start
),

final as (
    select
        month_start,
        revenue,
        orders,
        customers,
        new_customers,
        {{ safe_divide('revenue', 'orders') }} as avg_order_value,
        {{ safe_divide('deal_revenue', 'revenue') }} as deal_share,
        -- The spine has every month, so the row 12 back is the same month a year earlier.
        {{ safe_divide('revenue', 'lag(revenue, 12) over (order by month_start)') }} - 1
            as revenue_yoy_growth
    from filled
)

select * from final
