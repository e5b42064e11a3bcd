{# Columns of one customer's purchase mix from their totals (spend_<category>, purchases_<channel>,
   deal_purchases, orders_count): share_<category> of the spend over the listed categories, net
   of returns (a returns-heavy category counts as 0, so the shares sum to one), share_<channel>
   and deal_share of the purchases. Each expression ends with a comma. #}
{% macro customer_mix() -%}
    {%- set category_total = category_spend_total(net_of_negatives=true) -%}
    {% for category in product_categories() -%}
        {{ safe_divide('greatest(spend_' ~ category ~ ', 0)', category_total) }} as share_{{ category }},
    {% endfor -%}
    {% for channel in purchase_channels() -%}
        {{ safe_divide('purchases_' ~ channel, 'orders_count') }} as share_{{ channel }},
    {% endfor -%}
    {{ safe_divide('deal_purchases', 'orders_count') }} as deal_share,
{%- endmacro %}
