{# Aggregate columns for one order's lines (grouped by order): is_purchase (any line bought, not
   returned), is_deal_purchase and is_<channel>_purchase (a bought line on a deal, in the
   channel). An order counts once per flag however many lines qualify. Each expression ends with
   a comma. #}
{% macro order_purchase_flags() -%}
    coalesce(bool_or(not is_return), false) as is_purchase,
    coalesce(bool_or(is_deal and not is_return), false) as is_deal_purchase,
    {% for channel in purchase_channels() -%}
        coalesce(bool_or(channel = '{{ channel }}' and not is_return), false)
            as is_{{ channel }}_purchase,
    {% endfor -%}
{%- endmacro %}
