{#- Every row of the `rows` CTE once per segment type it is read by: 'all' (one 'ALL' segment),
    'rfm' (rfm_segment; 'No purchase' for customers without one), 'kmeans' (segment_id; customers
    without a segment are left out), 'age' (age_range) and 'income' (income_range; 'Unknown' when
    the band is unknown). `rows` needs customer_id and `columns`; the calling model imports the
    marts customer_rfm, customer_segments and customers as CTEs of those names. segment_id is
    text, so that every type fits one column. -#}
{% macro segment_memberships(rows, columns, segment_types) -%}
    {%- set joins = {
        'rfm': "left join customer_rfm on " ~ rows ~ ".customer_id = customer_rfm.customer_id",
        'kmeans': "inner join customer_segments on " ~ rows ~ ".customer_id = customer_segments.customer_id",
        'age': "left join customers on " ~ rows ~ ".customer_id = customers.customer_id",
        'income': "left join customers on " ~ rows ~ ".customer_id = customers.customer_id",
        'all': "",
    } -%}
    {%- set labels = {
        'rfm': "coalesce(customer_rfm.rfm_segment, 'No purchase')",
        'kmeans': "cast(cast(customer_segments.segment_id as bigint) as " ~ dbt.type_string() ~ ")",
        'age': "coalesce(customers.age_range, 'Unknown')",
        'income': "coalesce(customers.income_range, 'Unknown')",
        'all': "'ALL'",
    } -%}
    {%- for segment_type in segment_types %}
        {%- if segment_type not in labels -%}
            {{ exceptions.raise_compiler_error("segment_memberships: unknown segment type " ~ segment_type) }}
        {%- endif %}
    select
        {% for column in columns -%}
            {{ rows }}.{{ column }},
        {% endfor -%}
        '{{ segment_type }}' as segment_type,
        {{ labels[segment_type] }} as segment_id
    from {{ rows }}
    {{ joins[segment_type] }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
