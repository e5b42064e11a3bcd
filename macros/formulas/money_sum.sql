{# Sum of a money amount in fixed point (4 decimals), optionally filtered or over a named window: exact, so it does not depend on row order. #}
{% macro money_sum(expression, condition=none, over=none) -%}
    {#- Floating-point sums change in the last bits with the order rows arrive in, which differs
        between an incremental run and a full refresh (and between threads): equal-value ties
        in RFM scores then break differently. Fixed-point sums are exact and order-free. -#}
    cast({{ money_total(expression, condition, over) }} as {{ engine_type('double') }})
{%- endmacro %}

{# The same sum kept in fixed point (a decimal): partial sums that are added up again later. #}
{% macro money_total(expression, condition=none, over=none) -%}
    sum(cast({{ expression }} as decimal(18, 4)))
    {%- if condition %} filter (where {{ condition }}){% endif %}
    {%- if over %} over {{ over }}{% endif %}
{%- endmacro %}

{% macro money_avg(expression, condition=none) -%}
    {#- Mean of a money amount, exact and order-free for the same reason as money_sum. -#}
    cast(avg(cast({{ expression }} as decimal(18, 4)))
        {%- if condition %} filter (where {{ condition }}){% endif %} as {{ engine_type('double') }})
{%- endmacro %}
