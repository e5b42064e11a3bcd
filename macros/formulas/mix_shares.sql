{# Aggregate columns for a group of customers of marts.customers: spend_share_<category> (share of
   the group's spend, returns-heavy categories counted as 0) and purchase_share_<channel> (share
   of the group's purchases). Each expression ends with a comma. #}
{% macro mix_shares() -%}
    {%- set total_category_spend = 'sum(' ~ category_spend_total(net_of_negatives=true) ~ ')' -%}
    {% for category in product_categories() -%}
        {{ safe_divide('sum(greatest(spend_' ~ category ~ ', 0))', total_category_spend) }}
            as spend_share_{{ category }},
    {% endfor -%}
    {% for channel in purchase_channels() -%}
        {{ safe_divide('sum(purchases_' ~ channel ~ ')', 'sum(orders_count)') }}
            as purchase_share_{{ channel }},
    {% endfor -%}
{%- endmacro %}
