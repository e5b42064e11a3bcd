{# A date from a date, timestamp or text in ISO, DD-MM-YYYY, DD/MM/YYYY or YYYYMMDD form; null if none fits. #}
{% macro parse_date(expression) -%}
    {#- coalesce stops at the first success, so typed dates pay only the first try_cast. Day-first
        formats come before month-first ones because the reference marketing data is day-first. -#}
    coalesce(
        try_cast({{ expression }} as date),
        try_cast(try_cast({{ expression }} as timestamp) as date),
        try_cast(try_strptime(
            cast({{ expression }} as varchar), ['%d-%m-%Y', '%d/%m/%Y', '%d.%m.%Y', '%Y%m%d']
        ) as date)
    )
{%- endmacro %}
