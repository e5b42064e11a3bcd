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
        the last peer) its last, so their mean is the mid-rank. The three windows share one
        ordering, so an engine sorts once. In doubles on every engine, so boundary ranks fall
        in the same quintile everywhere. -#}
    cast(least(5, 1 + floor(5 * (
        ({{ as_double('rank() over (' ~ ordered ~ ')') }}
            + {{ as_double('count(*) over (' ~ ordered ~ ')') }}) / 2.0e0
        - 0.5
    ) / count(*) over ({{ ordered }} rows between unbounded preceding and unbounded following))) as integer)
{%- endmacro %}
