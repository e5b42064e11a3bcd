{# Tie-safe 1-5 quintile score of a column over the model's rows, or within each partition_by group (5 = best). #}
{% macro quintile_score(column, higher_is_better=true, partition_by=none) -%}
    {#- Each tie group takes the mid-rank of the positions it spans; the score is the quintile that
        mid-rank falls in. Equal values therefore share a score, a column where every value is
        equal (or a single row) scores 3, and a column with many equal low values (one-time
        buyers) puts the whole group in one low quintile instead of splitting it arbitrarily. -#}
    {%- set direction = 'asc' if higher_is_better else 'desc' -%}
    {%- set within = 'partition by ' ~ partition_by ~ ' ' if partition_by else '' -%}
    {%- set ordered = within ~ 'order by ' ~ column ~ ' ' ~ direction -%}
    {#- rank() is the first position of the tie group and count(*) with the default frame (up to
        the last peer) its last. The three windows share one ordering, so an engine sorts once. -#}
    {{ quintile_of_positions(
        'rank() over (' ~ ordered ~ ')',
        'count(*) over (' ~ ordered ~ ')',
        'count(*) over (' ~ ordered ~ ' rows between unbounded preceding and unbounded following)'
    ) }}
{%- endmacro %}

{# The same scores as quintile_score, one row per partition and distinct value of `column` (non-null): `column`, partition_by, score. #}
{% macro quintile_scores(relation, column, higher_is_better=true, partition_by=none) -%}
    {#- Counts each tie group once and ranks the groups, so a table of many rows with few distinct
        values (recency days, order counts per period) sorts the groups instead of the rows. Join
        the scores back on the partition and the value. -#}
    {%- set direction = 'asc' if higher_is_better else 'desc' -%}
    {%- set keys = ([partition_by] if partition_by else []) + [column] -%}
    {%- set within = 'partition by ' ~ partition_by if partition_by else '' -%}
    select
        {{ keys | join(', ') }},
        {{ quintile_of_positions(
            'sum(tie_rows) over tie_groups - tie_rows + 1',
            'sum(tie_rows) over tie_groups',
            'sum(tie_rows) over (' ~ within ~ ')'
        ) }} as score
    from (
        select
            {{ keys | join(', ') }},
            count(*) as tie_rows
        from {{ relation }}
        group by {{ keys | join(', ') }}
    ) as tie_group_sizes
    window tie_groups as (
        {{ within }} order by {{ column }} {{ direction }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{# The 1-5 quintile of a tie group from its first and last position among `total` ordered rows. #}
{% macro quintile_of_positions(first_position, last_position, total) -%}
    {#- The mid-rank (first + last) / 2 of the group falls in quintile 1 + floor(5 (mid - 0.5) / n).
        In doubles on every engine, so boundary ranks fall in the same quintile everywhere. -#}
    cast(least(5, 1 + floor(5 * (
        ({{ as_double(first_position) }} + {{ as_double(last_position) }}) / 2.0e0
        - 0.5
    ) / {{ total }})) as integer)
{%- endmacro %}
