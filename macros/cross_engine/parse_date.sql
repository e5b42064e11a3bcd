{#- A date from a date, timestamp or text in ISO, DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY or YYYYMMDD
    form; null if none fits. Day-first formats come before month-first ones because the
    reference marketing data is day-first. -#}
{% macro parse_date(expression) -%}
    {{ return(adapter.dispatch('parse_date')(expression)) }}
{%- endmacro %}

{% macro default__parse_date(expression) -%}
    {#- coalesce stops at the first success, so typed dates pay only the first try_cast. -#}
    coalesce(
        try_cast({{ expression }} as date),
        try_cast(try_cast({{ expression }} as timestamp) as date),
        try_cast(try_strptime(
            cast({{ expression }} as varchar), ['%d-%m-%Y', '%d/%m/%Y', '%d.%m.%Y', '%Y%m%d']
        ) as date)
    )
{%- endmacro %}

{#- The text forms parse_date reads on engines without try_strptime: each shape (checked first,
    so that a bad value is null instead of an error) with its format in PostgreSQL's and in
    Spark's syntax. -#}
{% macro parse_date_forms() -%}
    {{ return([
        {'shape': '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$', 'postgres': 'YYYY-MM-DD', 'spark': 'yyyy-MM-dd'},
        {'shape': '^[0-9]{2}-[0-9]{2}-[0-9]{4}$', 'postgres': 'DD-MM-YYYY', 'spark': 'dd-MM-yyyy'},
        {'shape': '^[0-9]{2}/[0-9]{2}/[0-9]{4}$', 'postgres': 'DD/MM/YYYY', 'spark': 'dd/MM/yyyy'},
        {'shape': '^[0-9]{2}[.][0-9]{2}[.][0-9]{4}$', 'postgres': 'DD.MM.YYYY', 'spark': 'dd.MM.yyyy'},
        {'shape': '^[0-9]{8}$', 'postgres': 'YYYYMMDD', 'spark': 'yyyyMMdd'},
    ]) }}
{%- endmacro %}

{% macro postgres__parse_date(expression) -%}
    {#- to_date raises on a day or month out of range ('2024-02-30'), so the parts are checked
        first (days per month by arithmetic, which cannot fail) and an impossible date is null. -#}
    {%- set text = "trim(cast(" ~ expression ~ " as text))" -%}
    case
        {% for form in parse_date_forms() -%}
            {%- set shape, format = form.shape, form.postgres -%}
            {%- set year = 'cast(substr(' ~ text ~ ', ' ~ (format.find('YYYY') + 1) ~ ', 4) as integer)' -%}
            {%- set month = 'cast(substr(' ~ text ~ ', ' ~ (format.find('MM') + 1) ~ ', 2) as integer)' -%}
            {%- set day = 'cast(substr(' ~ text ~ ', ' ~ (format.find('DD') + 1) ~ ', 2) as integer)' %}
            when {{ text }} ~ '{{ shape }}'
                then case
                    when {{ month }} between 1 and 12
                        and {{ day }} between 1 and case
                            when {{ month }} in (4, 6, 9, 11) then 30
                            when {{ month }} != 2 then 31
                            when mod({{ year }}, 4) = 0
                                and (mod({{ year }}, 100) != 0 or mod({{ year }}, 400) = 0) then 29
                            else 28
                        end
                        then to_date(substr({{ text }}, 1, {{ format | length }}), '{{ format }}')
                end
        {% endfor -%}
    end
{%- endmacro %}

{% macro spark__parse_date(expression) -%}
    {%- set text = "trim(cast(" ~ expression ~ " as string))" -%}
    case
        {% for form in parse_date_forms() -%}
            when {{ text }} rlike '{{ form.shape }}'
                then to_date(substr({{ text }}, 1, {{ form.spark | length }}), '{{ form.spark }}')
        {% endfor -%}
    end
{%- endmacro %}
