{# The first order date an incremental run reprocesses: the newest date in {{ this }} minus var incremental_lookback_days. #}
{% macro incremental_order_watermark(date_column) -%}
    {#- Lines arriving late by up to the lookback are still picked up; an empty table reloads all. -#}
    select coalesce(
        max({{ date_column }}) - {{ setting_literal('incremental_lookback_days') }},
        cast('1900-01-01' as date)
    )
    from {{ this }}
{%- endmacro %}
