{# Deterministic standard normal draw (Box-Muller on two sample_uniform draws). #}
{% macro sample_normal(salt) -%}
    (sqrt(-2.0 * ln({{ sample_uniform(salt ~ '_u1', *varargs) }}))
        * cos(2.0 * pi() * {{ sample_uniform(salt ~ '_u2', *varargs) }}))
{%- endmacro %}
