{#- One row per snapshot x customer: the features the response and uplift models learn from and
    score with, as of the snapshot's cutoff (int_response_snapshots). 'train' holds the target
    campaign's contacts with their response as label; 'experiment' the target experiment's
    customers with their arm, response and revenue; 'score' every customer as of the as-of date.
    The purchase history comes from int_response_order_histories; prior campaigns are the
    broadcasts sequenced before the snapshot's. Inputs without order lines (the Customer
    Personality Analysis file) only have totals as of the file date: every snapshot uses them.
    The customers input's extra columns follow as attribute__* (text). -#}
{%- set history_columns = ['recency_days', 'frequency', 'monetary', 'deal_share']
    + prefixed('share_', product_categories()) + prefixed('share_', purchase_channels()) -%}
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

snapshots as (
    select * from {{ ref('int_response_snapshots') }}
),

order_history as (
    select * from {{ ref('int_response_order_histories') }}
),

{% if attributes -%}
customer_attributes as (
    select * from {{ ref('int_customer_attributes') }}
),
{%- endif %}

later_campaigns as (
    -- Each snapshot's first later campaign as a column of one row.
    select {{ snapshot_columns('first_later_campaign', 'first_later_campaign') }}
    from snapshots
),

sequenced_contacts as (
    -- Which snapshots count each contact's campaign as prior (a broadcast sequenced before the
    -- snapshot's first later campaign).
    select
        contacts.customer_id,
        contacts.responded,
        {% for snapshot in response_snapshots() -%}
            campaigns.broadcast_sequence < later_campaigns.{{ snapshot }}_first_later_campaign
                as is_prior_for_{{ snapshot }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from contacts
    inner join campaigns
        on contacts.campaign_id = campaigns.campaign_id
    cross join later_campaigns
),

span_contacts as (
    -- Contacts per customer and set of snapshots they are prior for: a few groups per customer,
    -- not a row per contact and snapshot.
    select
        customer_id,
        {% for snapshot in response_snapshots() -%}
            is_prior_for_{{ snapshot }},
        {% endfor -%}
        count(*) as contacted,
        count(*) filter (where responded) as accepted
    from sequenced_contacts
    group by
        customer_id,
        {% for snapshot in response_snapshots() -%}
            is_prior_for_{{ snapshot }}{% if not loop.last %},{% endif %}
        {% endfor %}
),

campaign_history as (
    -- One row per contacted customer: prior campaigns contacted and accepted per snapshot.
    select
        customer_id,
        {% for snapshot in response_snapshots() -%}
            {% for measure in ['contacted', 'accepted'] -%}
                {{ count_total(measure, 'is_prior_for_' ~ snapshot) }} as {{ snapshot }}_{{ measure }}
                {%- if not (loop.last and snapshot == response_snapshots()[-1]) %},{% endif %}
            {% endfor %}
        {%- endfor %}
    from span_contacts
    group by customer_id
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
        {% for measure in ['contacted', 'accepted'] -%}
            coalesce(
                case snapshot_customers.snapshot
                    {% for snapshot in response_snapshots() -%}
                        when '{{ snapshot }}' then campaign_history.{{ snapshot }}_{{ measure }}
                    {% endfor -%}
                end,
                0
            ) as prior_campaigns_{{ measure }},
        {% endfor -%}
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
        on snapshot_customers.customer_id = campaign_history.customer_id
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
