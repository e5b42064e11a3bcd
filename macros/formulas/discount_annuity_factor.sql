{# Present value of 1 per month for n months at a monthly discount rate (n when the rate is 0). #}
{% macro discount_annuity_factor(monthly_rate, months) -%}
    case
        when ({{ monthly_rate }}) = 0 then ({{ months }})
        else (1 - power(1 + ({{ monthly_rate }}), -({{ months }}))) / ({{ monthly_rate }})
    end
{%- endmacro %}
