{# A var's value, checked against setting_rules: the only way models and macros read user settings. #}
{% macro setting(name) -%}
    {%- set rule = setting_rules().get(name) -%}
    {%- if rule is none -%}
        {{ exceptions.raise_compiler_error("setting('" ~ name ~ "'): no rule in setting_rules") }}
    {%- endif -%}
    {%- set parsed = parse_setting(name, var(name, none), rule) -%}
    {%- if 'problem' in parsed -%}
        {#- Whoever meets a bad var first (parsing a model, or on-run-start) names all of them. -#}
        {{ raise_setting_problems() }}
    {%- endif -%}
    {{ return(parsed.value) }}
{%- endmacro %}
