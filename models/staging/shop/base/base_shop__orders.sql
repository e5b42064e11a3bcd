{#- Every raw order row, typed, with the reason it cannot be used (null when it can). -#}

with

source_rows as (
    select * from {{ shop_input('orders') }}
),

known_customers as (
    select customer_id from {{ ref('base_shop__customers') }}
    where reject_reason is null
),

typed as (
    select
        {{ text_id('order_id') }} as order_id,
        {{ text_id('customer_id') }} as customer_id,
        {{ parse_date('order_date') }} as order_date,
        {{ safe_cast('amount', 'double') }} as amount,
        {{ safe_cast('quantity', 'integer') }} as quantity,
        nullif(lower(trim(cast(category as {{ dbt.type_string() }}))), '') as category,
        nullif(lower(trim(cast(channel as {{ dbt.type_string() }}))), '') as channel,
        {{ safe_cast('is_deal', 'boolean') }} as is_deal,
        source_row_number,
        source_row_issue
    from source_rows
),

validated as (
    select
        *,
        case
            when source_row_issue is not null then source_row_issue
            when customer_id is null then 'missing customer_id'
            when order_date is null then 'missing or unparseable order_date'
            when order_date not between {{ setting_literal('min_plausible_date') }}
                and {{ setting_literal('max_plausible_date') }}
                then 'order_date outside min_plausible_date..max_plausible_date'
            when amount is null then 'missing or unparseable amount'
            -- NaN compares greater than every number, so this also catches NaN and infinities.
            when abs(amount) > {{ setting_literal('max_plausible_amount') }}
                then 'amount not finite or beyond max_plausible_amount'
            -- A referential check, not a join: orders of unknown customers cannot be attributed.
            when customer_id not in (select known_customers.customer_id from known_customers)
                then 'orphan order: customer_id not in customers'
            when order_id is null then 'missing order_id'
            when row_number() over (
                    partition by order_id order by source_row_number, order_date, amount, customer_id
                ) > 1 then 'duplicate order_id'
        end as reject_reason
    from typed
)

select * from validated
