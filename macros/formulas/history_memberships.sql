{# The segment memberships of customer_segment_history in long form, one select per segment type
   joined by union all: segment_type ('rfm', 'kmeans'), customer_id, period_end, segment_id,
   segment_name, revenue_in_period, is_first_period; with with_previous, also
   previous_segment_id (the relation's previous_<id column>) and previous_period_end. A
   customer-period without a K-means segment (no stored model) has no 'kmeans' row. #}
{% macro history_memberships(history, with_previous=false) -%}
    {%- set segment_types = {'rfm': ('rfm_segment_id', 'rfm_segment'), 'kmeans': ('segment_id', 'segment_name')} -%}
    {% for segment_type, columns in segment_types.items() -%}
        select
            '{{ segment_type }}' as segment_type,
            customer_id,
            period_end,
            {{ columns[0] }} as segment_id,
            {{ columns[1] }} as segment_name,
            {% if with_previous -%}
                previous_{{ columns[0] }} as previous_segment_id,
                previous_period_end,
            {% endif -%}
            revenue_in_period,
            is_first_period
        from {{ history }}
        where {{ columns[0] }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor -%}
{%- endmacro %}
