{# Assert that a boolean SQL expression holds on every row of a model (optionally filtered). #}
{% test expression_is_true(model, expression, where_clause=none) %}

select *
from {{ model }}
where not ({{ expression }})
{% if where_clause %}and ({{ where_clause }}){% endif %}

{% endtest %}
