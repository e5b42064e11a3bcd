{#- Every row of the `rows` CTE once per segment type it is read by, with an integer segment_id
    and its segment_name:
    - 'all': one segment, id 0, 'All customers';
    - 'rfm': the RFM segment (rfm_segment_id, rfm_segment); customers without one are id 0,
      'No purchase';
    - 'kmeans': the K-means segment (segment_id, segment_name); customers without one are left out;
    - 'age' / 'income': the band of seed age_ranges / income_ranges; an unknown band is id 0,
      'Unknown'.
    `rows` needs customer_id and `columns`. The calling model imports, as CTEs of these names, the
    marts customer_rfm ('rfm'), customer_segments ('kmeans'), customers ('age', 'income') and the
    seeds age_ranges ('age') and income_ranges ('income'). -#}
{% macro segment_memberships(rows, columns, segment_types) -%}
    {%- set joins = {
        'rfm': "left join customer_rfm on " ~ rows ~ ".customer_id = customer_rfm.customer_id",
        'kmeans': "inner join customer_segments on " ~ rows ~ ".customer_id = customer_segments.customer_id",
        'age': "left join customers on " ~ rows ~ ".customer_id = customers.customer_id"
            ~ " left join age_ranges on customers.age_range = age_ranges.age_range",
        'income': "left join customers on " ~ rows ~ ".customer_id = customers.customer_id"
            ~ " left join income_ranges on customers.income_range = income_ranges.income_range",
        'all': "",
    } -%}
    {%- set ids = {
        'rfm': "coalesce(customer_rfm.rfm_segment_id, 0)",
        'kmeans': "customer_segments.segment_id",
        'age': "coalesce(age_ranges.age_range_id, 0)",
        'income': "coalesce(income_ranges.income_range_id, 0)",
        'all': "0",
    } -%}
    {%- set names = {
        'rfm': "coalesce(customer_rfm.rfm_segment, 'No purchase')",
        'kmeans': "customer_segments.segment_name",
        'age': "coalesce(age_ranges.age_range, 'Unknown')",
        'income': "coalesce(income_ranges.income_range, 'Unknown')",
        'all': "'All customers'",
    } -%}
    {%- for segment_type in segment_types %}
        {%- if segment_type not in ids -%}
            {{ exceptions.raise_compiler_error("segment_memberships: unknown segment type " ~ segment_type) }}
        {%- endif %}
    select
        {% for column in columns -%}
            {{ rows }}.{{ column }},
        {% endfor -%}
        '{{ segment_type }}' as segment_type,
        cast({{ ids[segment_type] }} as {{ dbt.type_bigint() }}) as segment_id,
        {{ names[segment_type] }} as segment_name
    from {{ rows }}
    {{ joins[segment_type] }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
