{# The snapshots of int_response_snapshots, in the order their features are computed. #}
{% macro response_snapshots() -%}
    {{ return(['train', 'experiment', 'score']) }}
{%- endmacro %}

{# A column of int_response_snapshots as one column per snapshot (<snapshot>_<name>), for a
   one-row CTE that every row of a single pass can compare with. #}
{% macro snapshot_columns(column, name) -%}
    {% for snapshot in response_snapshots() -%}
        max({{ column }}) filter (where snapshot = '{{ snapshot }}')
            as {{ snapshot }}_{{ name }}{% if not loop.last %},{% endif %}
    {% endfor %}
{%- endmacro %}

{# The sum of partial counts over the rows where the condition holds, 0 when none does. #}
{% macro count_total(column, condition) -%}
    cast(coalesce(sum({{ column }}) filter (where {{ condition }}), 0) as {{ dbt.type_bigint() }})
{%- endmacro %}
