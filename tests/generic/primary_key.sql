{#
    Assert that a column, or a combination of columns, is the model's primary key: no key
    value is null and none occurs twice. One query instead of a unique and a not_null test per
    key column. Column-level: `- primary_key`; model-level: `- primary_key: {arguments:
    {columns: [a, b]}}`. Returns one row per offending key with how many rows carry it.
#}
{% test primary_key(model, column_name=none, columns=none) %}
{%- set key = columns if columns else [column_name] -%}
{%- if key | select('none') | list or not key -%}
    {{ exceptions.raise_compiler_error(
        "primary_key on " ~ model ~ ": give the column (column-level) or `columns` (model-level)"
    ) }}
{%- endif %}

select
    {{ key | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ key | join(', ') }}
having
    count(*) > 1
    {%- for column in key %}
    or max(case when {{ column }} is null then 1 else 0 end) = 1
    {%- endfor %}

{% endtest %}
