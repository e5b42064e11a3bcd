{# on-run-start: stop on any bad var (naming all of them), then check that the inputs exist. #}
{% macro validate_settings() -%}
    {{ raise_setting_problems() }}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {{ validate_inputs() }}
    {%- endif -%}
{%- endmacro %}

{# Raise one error listing every var that breaks its rule (and the cross-var rules); nothing if all are fine. #}
{% macro raise_setting_problems() -%}
    {%- set problems = [] -%}
    {%- set values = {} -%}
    {%- for name, rule in setting_rules().items() -%}
        {%- set parsed = parse_setting(name, var(name, none), rule) -%}
        {%- if 'problem' in parsed -%}
            {%- do problems.append('var ' ~ name ~ ' ' ~ parsed.problem) -%}
        {%- else -%}
            {%- do values.update({name: parsed.value}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not problems -%}
        {%- if values.segment_k_min > values.segment_k_max -%}
            {%- do problems.append('var segment_k_min (' ~ values.segment_k_min
                                   ~ ') must not exceed segment_k_max (' ~ values.segment_k_max ~ ')') -%}
        {%- endif -%}
        {%- if values.min_plausible_date >= values.max_plausible_date -%}
            {%- do problems.append('var min_plausible_date must be before max_plausible_date') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Invalid settings (fix the --vars or dbt_project.yml):\n  - " ~ problems | join('\n  - ')
        ) }}
    {%- endif -%}
{%- endmacro %}
