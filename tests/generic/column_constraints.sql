{#
    Assert every column constraint the model declares (`not_null`, and `check` with an
    `expression`) in one scan of the model: for models whose contract cannot be enforced (dbt
    Python models), so their rules are declared as the SQL marts' are and read from one place,
    the model's properties. Model-level: `- column_constraints`. A `check` holds, as a warehouse
    CHECK does, unless its expression is false (a null value passes; pair it with `not_null`).
    Returns one row per broken constraint: the column, the constraint and how many rows break it.
#}
{% test column_constraints(model) %}
{%- set rules = [] -%}
{%- if execute -%}
    {%- set owners = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('alias', 'equalto', model.identifier)
        | selectattr('schema', 'equalto', model.schema)
        | list -%}
    {%- if owners | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "column_constraints on " ~ model ~ ": no single model in the graph builds it"
        ) }}
    {%- endif -%}
    {%- for column in owners[0].columns.values() -%}
        {%- for constraint in column.constraints -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do rules.append((column.name, 'not_null', column.name ~ ' is null')) -%}
            {%- elif constraint.type == 'check' and constraint.expression -%}
                {%- do rules.append((column.name, 'check: ' ~ constraint.expression,
                    'not (' ~ constraint.expression ~ ')')) -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(
                    "column_constraints on " ~ model ~ ": column " ~ column.name
                    ~ " has a " ~ constraint.type ~ " constraint, which this test cannot check"
                ) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error(
            "column_constraints on " ~ model ~ ": no column declares a constraint"
        ) }}
    {%- endif -%}
{%- endif %}

with

broken_rows as (
    select
        {% for column, rule, broken in rules -%}
            sum(case when {{ broken }} then 1 else 0 end) as broken_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ model }}
),

broken_constraints as (
    {% for column, rule, broken in rules -%}
        select
            '{{ column }}' as column_name,
            '{{ rule | replace("'", "''") }}' as broken_constraint,
            broken_{{ loop.index }} as broken_rows
        from broken_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from broken_constraints
where broken_rows > 0

{% endtest %}
