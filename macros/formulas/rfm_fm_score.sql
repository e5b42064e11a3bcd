{# The second axis of the RFM segment grid: mean of the frequency and monetary scores, halves up. #}
{% macro rfm_fm_score(f_score, m_score) -%}
    cast(ceil((({{ f_score }}) + ({{ m_score }})) / 2.0) as integer)
{%- endmacro %}
