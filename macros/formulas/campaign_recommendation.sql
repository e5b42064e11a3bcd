{# Targeting advice from a response rate and its break-even rate (cost per contact / revenue per response). #}
{% macro campaign_recommendation(response_rate, break_even_response_rate) -%}
    {#- At or above break-even a contact pays for itself: target. Below it but within var
        `offer_test_band` (default: at least half of break-even) the audience responds, just not
        enough for this offer: test a different offer. Further below, do not target. -#}
    case
        when ({{ response_rate }}) is null or ({{ break_even_response_rate }}) is null then 'test a different offer'
        when ({{ response_rate }}) >= ({{ break_even_response_rate }}) then 'target'
        when ({{ response_rate }}) >= {{ setting_literal('offer_test_band') }} * ({{ break_even_response_rate }})
            then 'test a different offer'
        else 'do not target'
    end
{%- endmacro %}
