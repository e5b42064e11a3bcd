{#- One row per snapshot x customer: the features the response and uplift models learn from and
    score with. Snapshot 'train' holds the customers contacted by the target campaign (var
    response_campaign_id, else the latest broadcast campaign), with features computed only from
    orders and campaigns before its contact date, and the response as label. Snapshot
    'experiment' holds the customers of the target experiment (var uplift_campaign_id, else the
    latest campaign with a control arm), with features before its contact date, their arm, response
    and revenue. Snapshot 'score' holds every customer with the same features as of the as-of date.
    Inputs without order lines (the Customer Personality Analysis file) only have totals as of the
    file date: every snapshot uses them, and prior campaigns are those with a lower sequence. The
    customers input's extra columns follow as attribute__* (text). -#}
{%- set history_columns = ['recency_days', 'frequency', 'monetary', 'deal_share']
    + prefixed('share_', product_categories()) + prefixed('share_', purchase_channels()) -%}
{%- set history_snapshots = ['train', 'experiment', 'score'] -%}
{%- set attributes = customer_attributes() -%}
{#- The same measures in the feature table, for inputs that only carry totals. -#}
{%- set total_columns = {'frequency': 'orders_count', 'monetary': 'net_revenue'} %}
-- depends_on: {{ ref('int_customer_attributes') }}

with

customer_features as (
    select * from {{ ref('int_customer_features') }}
),

orders as (
    select * from {{ ref('int_order_lines_classified') }}
),

contacts as (
    select * from {{ ref('int_campaign_contacts_classified') }}
),

campaigns as (
    select * from {{ ref('int_campaigns_classified') }}
),

reference_date as (
    select * from {{ ref('int_reference_date') }}
),

{% if attributes -%}
customer_attributes as (
    select * from {{ ref('int_customer_attributes') }}
),
{%- endif %}

broadcast_campaigns as (
    select
        campaign_id,
        contact_date
    from campaigns
    where not is_experiment and has_contacts
),

sequenced_campaigns as (
    select
        *,
        row_number() over (order by contact_date nulls first, campaign_id) as campaign_sequence
    from broadcast_campaigns
),

experiment_campaigns as (
    select
        campaign_id,
        contact_date
    from campaigns
    where is_experiment and has_contacts
),

sequenced_experiments as (
    select
        *,
        row_number() over (order by contact_date desc nulls last, campaign_id desc) as recency_rank
    from experiment_campaigns
),

target_experiment as (
    select
        campaign_id,
        contact_date
    from sequenced_experiments
    where
        {% if setting('uplift_campaign_id') is not none -%}
            campaign_id = {{ setting_literal('uplift_campaign_id') }}
        {%- else -%}
            recency_rank = 1
        {%- endif %}
),

latest_campaign as (
    select max(campaign_sequence) as campaign_sequence
    from sequenced_campaigns
),

target_campaign as (
    select sequenced_campaigns.*
    from sequenced_campaigns
    cross join latest_campaign
    where
        {% if setting('response_campaign_id') is not none -%}
            sequenced_campaigns.campaign_id = {{ setting_literal('response_campaign_id') }}
        {%- else -%}
            sequenced_campaigns.campaign_sequence = latest_campaign.campaign_sequence
        {%- endif %}
),

snapshots as (
    select
        'train' as snapshot,
        campaign_id as target_campaign_id,
        contact_date as cutoff_date,
        campaign_sequence as first_later_campaign
    from target_campaign
    union all
    select
        'experiment' as snapshot,
        target_experiment.campaign_id as target_campaign_id,
        target_experiment.contact_date as cutoff_date,
        -- Broadcast campaigns that reached customers before the experiment are its prior ones.
        1 + (
            select count(*) from sequenced_campaigns
            where sequenced_campaigns.contact_date < target_experiment.contact_date
        ) as first_later_campaign
    from target_experiment
    union all
    select
        'score' as snapshot,
        (select {{ any_value('target_campaign.campaign_id') }} from target_campaign) as target_campaign_id,
        reference_date.as_of_date as cutoff_date,
        coalesce(latest_campaign.campaign_sequence, 0) + 1 as first_later_campaign
    from reference_date
    cross join latest_campaign
),

cutoffs as (
    -- The two cutoff dates as columns of one row, so that both snapshots' histories are computed
    -- in one pass over the order lines rather than by joining every line to each snapshot.
    select
        {% for snapshot in history_snapshots -%}
            max(cutoff_date) filter (where snapshot = '{{ snapshot }}')
                as {{ snapshot }}_cutoff{% if not loop.last %},{% endif %}
        {% endfor %}
    from snapshots
),

order_first_dates as (
    -- One row per order: the date of its first line of each kind. An order counts as a purchase
    -- (deal, channel) before a cutoff when any such line is dated before it, that is when this
    -- first date is; one pass serves both snapshots (see DECISIONLOG).
    select
        customer_id,
        order_id,
        min(order_date) filter (where not is_return) as first_purchase_date,
        min(order_date) filter (where is_deal and not is_return) as first_deal_purchase_date,
        {% for channel in purchase_channels() -%}
            min(order_date) filter (where channel = '{{ channel }}' and not is_return)
                as first_{{ channel }}_purchase_date{% if not loop.last %},{% endif %}
        {% endfor %}
    from orders
    group by customer_id, order_id
),

order_counts as (
    select
        order_first_dates.customer_id,
        {% for snapshot in history_snapshots -%}
            {%- set before_cutoff = ' < cutoffs.' ~ snapshot ~ '_cutoff' %}
            count(*) filter (where order_first_dates.first_purchase_date{{ before_cutoff }})
                as {{ snapshot }}_purchases,
            count(*) filter (where order_first_dates.first_deal_purchase_date{{ before_cutoff }})
                as {{ snapshot }}_deal_purchases,
            {% for channel in purchase_channels() -%}
                count(*) filter (
                    where order_first_dates.first_{{ channel }}_purchase_date{{ before_cutoff }}
                ) as {{ snapshot }}_{{ channel }}_purchases
                {%- if not (loop.last and snapshot == history_snapshots[-1]) %},{% endif %}
            {% endfor %}
        {%- endfor %}
    from order_first_dates
    cross join cutoffs
    group by order_first_dates.customer_id
),

line_sums as (
    -- Amounts are summed line by line: fixed-point sums give the same totals in any grouping.
    select
        orders.customer_id,
        {% for snapshot in history_snapshots -%}
            {%- set before_cutoff = 'orders.order_date < cutoffs.' ~ snapshot ~ '_cutoff' %}
            count(*) filter (where {{ before_cutoff }}) as {{ snapshot }}_lines,
            max(orders.order_date) filter (where not orders.is_return and {{ before_cutoff }})
                as {{ snapshot }}_last_purchase_date,
            {{ money_sum('orders.amount', before_cutoff) }} as {{ snapshot }}_amount,
            {{ money_sum('greatest(orders.amount, 0)', before_cutoff) }}
                as {{ snapshot }}_positive_amount,
            {% for category in product_categories() -%}
                {{ money_sum(
                    'greatest(orders.amount, 0)',
                    before_cutoff ~ " and orders.category = '" ~ category ~ "'"
                ) }} as {{ snapshot }}_positive_{{ category }}
                {%- if not (loop.last and snapshot == history_snapshots[-1]) %},{% endif %}
            {% endfor %}
        {%- endfor %}
    from orders
    cross join cutoffs
    group by orders.customer_id
),

order_history as (
    -- One row per snapshot x customer with order lines before its cutoff.
    {% for snapshot in history_snapshots -%}
        select
            '{{ snapshot }}' as snapshot,
            line_sums.customer_id,
            {{ day_diff(
                'line_sums.' ~ snapshot ~ '_last_purchase_date', 'cutoffs.' ~ snapshot ~ '_cutoff'
            ) }} as recency_days,
            order_counts.{{ snapshot }}_purchases as frequency,
            line_sums.{{ snapshot }}_amount as monetary,
            {{ safe_divide(
                'order_counts.' ~ snapshot ~ '_deal_purchases',
                'order_counts.' ~ snapshot ~ '_purchases'
            ) }} as deal_share,
            {% for category in product_categories() -%}
                {{ safe_divide(
                    'line_sums.' ~ snapshot ~ '_positive_' ~ category,
                    'line_sums.' ~ snapshot ~ '_positive_amount'
                ) }} as share_{{ category }},
            {% endfor -%}
            {% for channel in purchase_channels() -%}
                {{ safe_divide(
                    'order_counts.' ~ snapshot ~ '_' ~ channel ~ '_purchases',
                    'order_counts.' ~ snapshot ~ '_purchases'
                ) }} as share_{{ channel }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from line_sums
        inner join order_counts
            on line_sums.customer_id = order_counts.customer_id
        cross join cutoffs
        where line_sums.{{ snapshot }}_lines > 0
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

campaign_history as (
    select
        snapshots.snapshot,
        contacts.customer_id,
        count(*) as prior_campaigns_contacted,
        count(*) filter (where contacts.responded) as prior_campaigns_accepted
    from contacts
    inner join sequenced_campaigns
        on contacts.campaign_id = sequenced_campaigns.campaign_id
    inner join snapshots
        on sequenced_campaigns.campaign_sequence < snapshots.first_later_campaign
    group by snapshots.snapshot, contacts.customer_id
),

labels as (
    -- The contacts of each snapshot's target campaign: what the models learn to predict.
    select
        snapshots.snapshot,
        contacts.customer_id,
        contacts.variant,
        contacts.responded,
        coalesce(contacts.response_revenue, 0) as response_revenue
    from contacts
    inner join snapshots
        on contacts.campaign_id = snapshots.target_campaign_id
            and snapshots.snapshot in ('train', 'experiment')
),

has_order_lines as (
    select count(*) > 0 as has_order_lines from orders
),

snapshot_customers as (
    select
        snapshots.snapshot,
        snapshots.target_campaign_id,
        snapshots.cutoff_date,
        customer_features.*
    from snapshots
    cross join customer_features
),

final as (
    select
        snapshot_customers.snapshot,
        snapshot_customers.customer_id,
        labels.responded,
        labels.variant,
        labels.response_revenue,
        snapshot_customers.target_campaign_id,
        snapshot_customers.income_clean,
        snapshot_customers.age,
        snapshot_customers.kids_home,
        snapshot_customers.teens_home,
        snapshot_customers.household_size,
        snapshot_customers.education_level,
        snapshot_customers.marital_group,
        snapshot_customers.web_visits_per_month,
        coalesce(
            {{ day_diff('snapshot_customers.signup_date', 'snapshot_customers.cutoff_date') }},
            snapshot_customers.tenure_days
        ) as tenure_days,
        {% for column in history_columns -%}
            case
                when has_order_lines.has_order_lines then order_history.{{ column }}
                else snapshot_customers.{{ total_columns.get(column, column) }}
            end as {{ column }},
        {% endfor -%}
        coalesce(campaign_history.prior_campaigns_contacted, 0) as prior_campaigns_contacted,
        coalesce(campaign_history.prior_campaigns_accepted, 0) as prior_campaigns_accepted,
        {% for attribute in attributes -%}
            customer_attributes.attribute__{{ attribute.name }},
        {% endfor -%}
        snapshot_customers.is_income_outlier or snapshot_customers.is_birth_year_implausible
            as is_outlier
    from snapshot_customers
    cross join has_order_lines
    left join order_history
        on snapshot_customers.snapshot = order_history.snapshot
            and snapshot_customers.customer_id = order_history.customer_id
    left join campaign_history
        on snapshot_customers.snapshot = campaign_history.snapshot
            and snapshot_customers.customer_id = campaign_history.customer_id
    {% if attributes -%}
        left join customer_attributes
            on snapshot_customers.customer_id = customer_attributes.customer_id
    {%- endif %}
    left join labels
        on snapshot_customers.snapshot = labels.snapshot
            and snapshot_customers.customer_id = labels.customer_id
    where snapshot_customers.snapshot = 'score' or labels.customer_id is not null
)

select * from final
