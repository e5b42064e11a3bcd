{# Targeting advice for an experiment from the confidence interval of its incremental profit. #}
{% macro experiment_recommendation(profit_ci_low, profit_ci_high) -%}
    {#- Target only when the whole interval is above zero (the campaign earns more than it costs,
        against its control group); do not target when the whole interval is below zero; anything
        else, including too few contacts for an interval, needs a bigger test. -#}
    case
        when ({{ profit_ci_low }}) > 0 then 'target'
        when ({{ profit_ci_high }}) < 0 then 'do not target'
        else 'inconclusive: extend the test'
    end
{%- endmacro %}
