{#- One row per generated order line, flagged when planted bad (duplicate, orphan); tests read the
    flags through sample_truth, sample_orders exposes the contract columns. -#}
{%- set schedule = sample_schedule() -%}
{%- set categories = zip(product_categories(), prefixed('share_', product_categories())) | list -%}
{%- set channels = zip(purchase_channels(), prefixed('share_', purchase_channels())) | list -%}

with

customer_params as (
    select * from {{ ref('sample_customer_params') }}
),

calendar_weights as (
    select * from {{ ref('sample_calendar_weights') }}
),

month_weights as (
    select
        period as month_of_year,
        weight as month_weight
    from calendar_weights
    where period_type = 'month'
),

weekday_weights as (
    select
        period as iso_weekday,
        weight as weekday_weight
    from calendar_weights
    where period_type = 'weekday'
),

thinning as (
    -- Orders are drawn uniformly over each customer's active days and then thinned by the
    -- calendar weights, which turns a homogeneous Poisson process into a seasonal one.
    select
        max(month_weights.month_weight) * max(weekday_weights.weekday_weight) as max_weight,
        avg(month_weights.month_weight) * avg(weekday_weights.weekday_weight)
        / (max(month_weights.month_weight) * max(weekday_weights.weekday_weight)) as mean_acceptance
    from month_weights
    cross join weekday_weights
),

candidate_counts as (
    select
        customer_params.*,
        thinning.max_weight,
        datediff('day', customer_params.signup_date, customer_params.active_until_date) + 1
            as active_days,
        customer_params.orders_per_year
        * (datediff('day', customer_params.signup_date, customer_params.active_until_date) + 1)
        / 365.25 / thinning.mean_acceptance as expected_candidates
    from customer_params
    cross join thinning
),

slot_sizes as (
    -- A Binomial(slots, p) count with at most ~1/3 success chance per slot stays close to the
    -- Poisson count a buy-till-you-die process implies, without a per-customer window sum.
    select
        *,
        cast(least(450, ceil(3 * expected_candidates + 10)) as integer) as slots,
        least(1.0, expected_candidates / least(450, ceil(3 * expected_candidates + 10))) as slot_probability
    from candidate_counts
),

slots as (
    select
        customer_id,
        signup_date,
        active_days,
        max_weight,
        slot_probability,
        basket_median,
        deal_rate,
        {% for _, column in categories + channels %}{{ column }},
        {% endfor -%}
        unnest(range(slots)) as slot
    from slot_sizes
),

candidate_orders as (
    select
        *,
        signup_date
        + cast(floor({{ sample_uniform('order_day', 'customer_id', 'slot') }} * active_days) as integer)
            as order_date
    from slots
    where {{ sample_uniform('order_slot', 'customer_id', 'slot') }} < slot_probability
),

seasonal_orders as (
    select candidate_orders.*
    from candidate_orders
    inner join month_weights
        on month(candidate_orders.order_date) = month_weights.month_of_year
    inner join weekday_weights
        on isodow(candidate_orders.order_date) = weekday_weights.iso_weekday
    where {{ sample_uniform('order_thin', 'customer_id', 'slot') }}
        < month_weights.month_weight * weekday_weights.weekday_weight / candidate_orders.max_weight
),

order_lines as (
    select
        customer_id * 1000 + slot as order_id,
        customer_id,
        slot,
        order_date,
        {{ sample_uniform('deal', 'customer_id', 'slot') }} < deal_rate as is_deal,
        {{ sample_pick(sample_uniform('category', 'customer_id', 'slot'), categories) }} as category,
        {{ sample_pick(sample_uniform('channel', 'customer_id', 'slot'), channels) }} as channel,
        1 + cast(floor(-1.2 * ln({{ sample_uniform('quantity', 'customer_id', 'slot') }})) as integer)
            as quantity,
        basket_median * exp(0.6 * {{ sample_normal('amount', 'customer_id', 'slot') }}) as list_amount
    from seasonal_orders
),

priced_orders as (
    select
        order_id,
        customer_id,
        slot,
        order_date,
        -- Deals sell the same basket 20% cheaper.
        round(list_amount * case when is_deal then 0.8 else 1.0 end, 2) as amount,
        quantity,
        category,
        channel,
        is_deal
    from order_lines
),

returns as (
    -- About 3% of orders come back within 30 days as a negative line with its own id.
    select
        order_id + 500 as order_id,
        customer_id,
        slot,
        order_date + 1 + cast(floor({{ sample_uniform('return_day', 'order_id') }} * 30) as integer)
            as order_date,
        -amount as amount,
        quantity,
        category,
        channel,
        is_deal
    from priced_orders
    where {{ sample_uniform('returned', 'order_id') }} < 0.03
),

clean_lines as (
    select
        *,
        false as is_planted_duplicate,
        false as is_planted_orphan
    from priced_orders
    union all
    select
        *,
        false as is_planted_duplicate,
        false as is_planted_orphan
    from returns
    where order_date <= {{ schedule.end_date }}
),

planted_duplicates as (
    -- Exports repeat rows: one line in a thousand appears twice.
    select
        * exclude (is_planted_duplicate),
        true as is_planted_duplicate
    from clean_lines
    where {{ sample_uniform('duplicate', 'order_id') }} < 0.001
),

planted_orphans as (
    -- And a few lines point at customers the CRM never had.
    select
        (customer_id + {{ setting_literal('sample_customers') }}) * 1000 + slot as order_id,
        customer_id + {{ setting_literal('sample_customers') }} as customer_id,
        slot,
        order_date,
        amount,
        quantity,
        category,
        channel,
        is_deal,
        false as is_planted_duplicate,
        true as is_planted_orphan
    from clean_lines
    where {{ sample_uniform('orphan', 'order_id') }} < 0.0005
),

final as (  -- by name: the planted branches list their flag columns in another order
    select * exclude (slot) from clean_lines
    union all by name
    select * exclude (slot) from planted_duplicates
    union all by name
    select * exclude (slot) from planted_orphans
)

select * from final
