{# The list of strings with a prefix added to each, for building column lists in Jinja. #}
{% macro prefixed(prefix, names) -%}
    {%- set out = [] -%}
    {%- for name in names -%}{%- do out.append(prefix ~ name) -%}{%- endfor -%}
    {{ return(out) }}
{%- endmacro %}

{# The list of strings with a suffix added to each. #}
{% macro suffixed(names, suffix) -%}
    {%- set out = [] -%}
    {%- for name in names -%}{%- do out.append(name ~ suffix) -%}{%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
