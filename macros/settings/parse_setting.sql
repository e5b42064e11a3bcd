{# Check one var value against its rule: {'value': the typed value} or {'problem': what is wrong}. #}
{% macro parse_setting(name, raw, rule) -%}
    {%- set text = raw | string | trim -%}
    {%- if raw is none or (raw is string and text | lower in ('', 'null', 'none')) -%}
        {%- if rule.get('nullable') -%}
            {{ return({'value': none}) }}
        {%- endif -%}
        {{ return({'problem': 'is required (got null)'}) }}
    {%- endif -%}
    {%- set shown = "'" ~ (text if text | length <= 80 else text[:80] ~ '...') ~ "'" -%}
    {%- set is_bool = raw is sameas true or raw is sameas false -%}
    {%- set kind = rule.kind -%}
    {%- if kind in ('integer', 'number') -%}
        {%- set number_shape = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$' -%}
        {%- if is_bool or not (raw is number or modules.re.match(number_shape, text)) -%}
            {{ return({'problem': 'must be a number; got ' ~ shown}) }}
        {%- endif -%}
        {%- set number = text | float -%}
        {#- NaN fails every comparison and infinity every bound below. -#}
        {%- if not (number == number) or number > 1e300 or number < -1e300 -%}
            {{ return({'problem': 'must be a finite number; got ' ~ shown}) }}
        {%- endif -%}
        {%- if kind == 'integer' -%}
            {%- if number != (number | round(0, 'floor')) -%}
                {{ return({'problem': 'must be a whole number; got ' ~ shown}) }}
            {%- endif -%}
            {%- set number = number | int -%}
        {%- endif -%}
        {%- if number < rule.get('min', number) or number > rule.get('max', number) -%}
            {{ return({'problem': 'must be from ' ~ rule.min ~ ' to ' ~ rule.max ~ '; got ' ~ shown}) }}
        {%- endif -%}
        {{ return({'value': number}) }}
    {%- elif kind == 'date' -%}
        {%- set parts = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', text) -%}
        {%- if not parts -%}
            {{ return({'problem': 'must be a date as YYYY-MM-DD; got ' ~ shown}) }}
        {%- endif -%}
        {%- set year, month, day = parts.group(1) | int, parts.group(2) | int, parts.group(3) | int -%}
        {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
        {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
        {%- if year < 1800 or year > 2200 or month < 1 or month > 12 or day < 1 or day > month_days[month - 1] -%}
            {{ return({'problem': 'is not a calendar date from 1800 to 2200; got ' ~ shown}) }}
        {%- endif -%}
        {{ return({'value': text}) }}
    {%- elif kind == 'boolean' -%}
        {%- if is_bool -%}
            {{ return({'value': raw}) }}
        {%- elif text | lower in ('true', 'false') -%}
            {{ return({'value': text | lower == 'true'}) }}
        {%- endif -%}
        {{ return({'problem': 'must be true or false; got ' ~ shown}) }}
    {%- elif kind == 'choice' -%}
        {%- if text in rule.choices -%}
            {{ return({'value': text}) }}
        {%- endif -%}
        {{ return({'problem': 'must be one of ' ~ rule.choices | join(', ') ~ '; got ' ~ shown}) }}
    {%- elif kind == 'identifier' -%}
        {%- if modules.re.match('^[A-Za-z_][A-Za-z0-9_]{0,62}$', text) -%}
            {{ return({'value': text}) }}
        {%- endif -%}
        {{ return({'problem': 'must be a plain name (letters, digits, underscores); got ' ~ shown}) }}
    {%- elif kind in ('path', 'text') -%}
        {#- Free text reaches SQL only as an escaped literal (sql_string); control characters and
            glob patterns in paths are refused because no file name needs them. -#}
        {%- if modules.re.search('[\\x00-\\x1f]', text) or text | length > 4096 -%}
            {{ return({'problem': 'must be printable text under 4096 characters; got ' ~ shown}) }}
        {%- endif -%}
        {%- if kind == 'path' and modules.re.search('[*?\\[\\]{}]', text) -%}
            {{ return({'problem': 'must be a plain path without glob characters (* ? [ ] { }); got ' ~ shown}) }}
        {%- endif -%}
        {{ return({'value': text}) }}
    {%- endif -%}
    {{ return({'problem': 'has an unknown rule kind ' ~ kind}) }}
{%- endmacro %}
