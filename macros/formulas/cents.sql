{# A money amount rounded to cents, as a double: what a BI tool shows and sums without float artefacts. Marts
   round estimates and averages of money this way; exact totals come from money_sum. #}
{% macro cents(expression) -%}
    {#- Through a decimal: every engine rounds the cast half away from zero, and PostgreSQL has no
        round(double precision, integer). -#}
    cast(cast({{ expression }} as decimal(38, 2)) as {{ engine_type('double') }})
{%- endmacro %}
