{# Whether a customer's recency score and fm_score fall in a rule of seed rfm_segment_rules (the one join condition for assigning an RFM segment). #}
{% macro rfm_rule_matches(rules, r_score, fm_score) -%}
    {{ r_score }} between {{ rules }}.r_score_min and {{ rules }}.r_score_max
    and {{ fm_score }} between {{ rules }}.fm_score_min and {{ rules }}.fm_score_max
{%- endmacro %}
