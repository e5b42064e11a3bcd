{# Deterministic pseudo-random U(0,1) (never 0 or 1) from the sample seed, a salt and row keys. #}
{% macro sample_uniform(salt) -%}
    {#- Hash-based rather than random(): the same seed gives the same data whatever the thread count
        or row order. Keys are folded in one at a time through single-value hashes, because DuckDB's
        multi-argument hash() combines its inputs too weakly: draws with different salts came out
        correlated. The salt becomes a 60-bit integer at compile time. 53 bits fill the double. -#}
    {%- set salt_bits = local_md5(salt)[:15] | int(0, 16) -%}
    {%- set state = namespace(
        hash="hash(xor(hash(" ~ setting('sample_seed') ~ "::ubigint), " ~ salt_bits ~ "::ubigint))"
    ) -%}
    {%- for key in varargs -%}
        {%- set state.hash = "hash(xor(" ~ state.hash ~ ", (" ~ key ~ ")::ubigint))" -%}
    {%- endfor -%}
    ((({{ state.hash }}) >> 11)::double + 0.5) / 9007199254740992.0
{%- endmacro %}
