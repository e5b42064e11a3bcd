{# The sample's fixed calendar: observation window and campaign dates, relative to sample_start_date. #}
{% macro sample_schedule() -%}
    {#- Campaign k starts at month offset 9 + 6k so that every campaign has prior history to score
        and the last one leaves a quarter of follow-up; the discount test runs in the final summer. -#}
    {%- set start = setting('sample_start_date') -%}
    {{ return({
        'start_date': start,
        'end_date': "(date '" ~ start ~ "' + interval 3 year - interval 1 day)::date",
        'campaigns': [
            {'id': 1, 'name': 'Campaign 1', 'channel': 'email', 'months': 9},
            {'id': 2, 'name': 'Campaign 2', 'channel': 'catalog', 'months': 15},
            {'id': 3, 'name': 'Campaign 3', 'channel': 'email', 'months': 21},
            {'id': 4, 'name': 'Campaign 4', 'channel': 'sms', 'months': 27},
            {'id': 5, 'name': 'Campaign 5', 'channel': 'email', 'months': 32},
        ],
        'ab_test': {'id': 6, 'name': 'Discount 20% test', 'channel': 'email', 'months': 30,
                    'variant': 'discount_20'},
    }) }}
{%- endmacro %}
