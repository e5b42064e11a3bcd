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

{#- The text forms parse_date reads on engines without try_strptime: (shape, format) pairs, the
    shape checked first so that a bad value is null instead of an error. -#}
{% macro parse_date_forms(flavour) -%}
    {%- set postgres = [
        ('^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$', 'YYYY-MM-DD'),
        ('^[0-9]{2}-[0-9]{2}-[0-9]{4}$', 'DD-MM-YYYY'),
        ('^[0-9]{2}/[0-9]{2}/[0-9]{4}$', 'DD/MM/YYYY'),
        ('^[0-9]{2}[.][0-9]{2}[.][0-9]{4}$', 'DD.MM.YYYY'),
        ('^[0-9]{8}$', 'YYYYMMDD'),
    ] -%}
    {%- set spark_formats = ['yyyy-MM-dd', 'dd-MM-yyyy', 'dd/MM/yyyy', 'dd.MM.yyyy', 'yyyyMMdd'] -%}
    {%- if flavour == 'spark' -%}
        {%- set forms = [] -%}
        {%- for shape, _ in postgres -%}
            {%- do forms.append((shape, spark_formats[loop.index0])) -%}
        {%- endfor -%}
        {{ return(forms) }}
    {%- endif -%}
    {{ return(postgres) }}
{%- endmacro %}

{% macro postgres__parse_date(expression) -%}
    {#- to_date raises on a day or month out of range ('2024-02-30'), so the parts are checked
        first (days per month by arithmetic, which cannot fail) and an impossible date is null. -#}
    {%- set text = "trim(cast(" ~ expression ~ " as text))" -%}
    case
        {% for shape, format in parse_date_forms('postgres') -%}
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
        {% for shape, format in parse_date_forms('spark') -%}
            when {{ text }} rlike '{{ shape }}'
                then to_date(substr({{ text }}, 1, {{ format | length }}), '{{ format }}')
        {% endfor -%}
    end
{%- endmacro %}
