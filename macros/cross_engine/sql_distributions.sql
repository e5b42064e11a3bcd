{#- The SQL approximations of the distribution functions (distributions.sql says which, and how
    accurate), for engines without the scipy-backed UDFs. Each is one SQL expression in its
    arguments, which are SQL text: an argument written several times is repeated in the SQL, so
    keep arguments short (a column, not an expression) where the SQL's length matters. -#}

{% macro sql_normal_cdf(x) -%}
    {#- Phi(x) = erfc(-x / sqrt 2) / 2, erfc by Numerical Recipes' Chebyshev fit (erfcc). -#}
    {%- set u = '(-(' ~ as_double(x) ~ ') / sqrt(2.0e0))' -%}
    {%- set z = 'abs' ~ u -%}
    {%- set t = '(1.0e0 / (1.0e0 + 0.5e0 * ' ~ z ~ '))' -%}
    {%- set coefficients = [
        -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
        0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277
    ] -%}
    {%- set polynomial = horner(coefficients | reverse | list, t) -%}
    {%- set tail = t ~ ' * exp(-' ~ z ~ ' * ' ~ z ~ ' + (' ~ polynomial ~ '))' -%}
    {#- erfc(u) / 2 is tail / 2 for u >= 0 and 1 - tail / 2 below: the tail written once. -#}
    (case when {{ u }} >= 0 then 0.0e0 else 1.0e0 end
        + case when {{ u }} >= 0 then 0.5e0 else -0.5e0 end * {{ tail }})
{%- endmacro %}

{#- Horner form of a polynomial in `x` with the given coefficients, highest power first: numbers
    (written as double literals that read back as the same double) or SQL expressions. -#}
{% macro horner(coefficients, x) -%}
    {%- set terms = [] -%}
    {%- for coefficient in coefficients -%}
        {%- do terms.append(
            '%.17e' | format(coefficient) if coefficient is number else '(' ~ coefficient ~ ')'
        ) -%}
    {%- endfor -%}
    {%- set text = namespace(value=terms[0]) -%}
    {%- for term in terms[1:] -%}
        {%- set text.value = '(' ~ text.value ~ ') * ' ~ x ~ ' + ' ~ term -%}
    {%- endfor -%}
    {{ return(text.value) }}
{%- endmacro %}

{% macro sql_normal_quantile(p) -%}
    {%- set p = as_double(p) -%}
    {%- set a = [-39.69683028665376, 220.9460984245205, -275.9285104469687,
                 138.3577518672690, -30.66479806614716, 2.506628277459239] -%}
    {%- set b = [-54.47609879822406, 161.5858368580409, -155.6989798598866,
                 66.80131188771972, -13.28068155288572, 1.0] -%}
    {%- set c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838,
                 -2.549732539343734, 4.374664141464968, 2.938163982698783] -%}
    {%- set d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996,
                 3.754408661907416, 1.0] -%}
    {%- set q_low = 'sqrt(-2 * ln(' ~ p ~ '))' -%}
    {%- set q_high = 'sqrt(-2 * ln(1 - ' ~ p ~ '))' -%}
    {%- set r = '((' ~ p ~ ' - 0.5e0) * (' ~ p ~ ' - 0.5e0))' -%}
    case
        when {{ p }} <= 0 or {{ p }} >= 1 then null
        when {{ p }} < 0.02425e0
            then ({{ horner(c, q_low) }}) / ({{ horner(d, q_low) }})
        when {{ p }} > 1 - 0.02425e0
            then -({{ horner(c, q_high) }}) / ({{ horner(d, q_high) }})
        else ({{ horner(a, r) }}) * ({{ p }} - 0.5e0) / ({{ horner(b, r) }})
    end
{%- endmacro %}

{% macro sql_student_t_cdf(t, df) -%}
    {%- set t = as_double(t) -%}
    {%- set df = as_double(df) -%}
    {%- set z = 'sign(' ~ t ~ ') * (' ~ df ~ ' - 2.0e0 / 3 + 1 / (10 * ' ~ df ~ '))'
        ~ ' * sqrt(ln(1 + ' ~ t ~ ' * ' ~ t ~ ' / ' ~ df ~ ') / (' ~ df ~ ' - 5.0e0 / 6))' -%}
    {{ sql_normal_cdf(z) }}
{%- endmacro %}

{% macro sql_student_t_quantile(p, df) -%}
    {#- Cornish-Fisher: t = z + g1(z) / v + g2(z) / v^2 + g3(z) / v^3 + g4(z) / v^4 with
        g1 = (z^3 + z) / 4, g2 = (5z^5 + 16z^3 + 3z) / 96, g3 = (3z^7 + 19z^5 + 17z^3 - 15z) / 384,
        g4 = (79z^9 + 776z^7 + 1482z^5 - 1920z^3 - 945z) / 92160, all odd in z. Collected by
        powers of z it is z * P(z^2), each coefficient of P a polynomial in 1 / v, so the normal
        quantile z is written 5 times instead of 25 (its SQL is long). -#}
    {%- set z = '(' ~ sql_normal_quantile(p) ~ ')' -%}
    {%- set inverse_v = '(1.0e0 / ' ~ as_double(df) ~ ')' -%}
    {%- set denominators = [1, 4, 96, 384, 92160] -%}
    {#- Numerators of the coefficient of z^9, z^7, ..., z^1 for the powers 0-4 of 1 / v. -#}
    {%- set numerators = [
        [0, 0, 0, 0, 79],
        [0, 0, 0, 3, 776],
        [0, 0, 5, 19, 1482],
        [0, 1, 16, 17, -1920],
        [1, 1, 3, -15, -945],
    ] -%}
    {%- set coefficients = [] -%}
    {%- for row in numerators -%}
        {%- set by_power = [] -%}
        {%- for power in range(4, -1, -1) -%}
            {%- do by_power.append(row[power] / denominators[power]) -%}
        {%- endfor -%}
        {%- do coefficients.append(horner(by_power, inverse_v)) -%}
    {%- endfor -%}
    ({{ z }} * ({{ horner(coefficients, 'power(' ~ z ~ ', 2)') }}))
{%- endmacro %}

{% macro sql_chi_square_sf(x, df) -%}
    {#- Even k: exp(-x/2) * sum over i < k/2 of (x/2)^i / i!. Odd k: 2 (1 - Phi(sqrt x)) plus
        sqrt(2x/pi) exp(-x/2) * sum over 1 <= i <= (k-1)/2 of x^(i-1) / (1 * 3 * ... * (2i-1))
        (no sum for k = 1). Phi(sqrt x) is written once for every odd k: its SQL is long. -#}
    {%- set x = as_double(x) -%}
    {%- set v = as_double(df) -%}
    {%- set even_sums = [] -%}
    {%- set odd_sums = [] -%}
    {%- for k in range(1, 11) -%}
        {%- set terms = [] -%}
        {%- if k % 2 == 0 -%}
            {%- set factorial = namespace(value=1) -%}
            {%- for i in range(k // 2) -%}
                {%- if i > 0 %}{% set factorial.value = factorial.value * i %}{% endif -%}
                {%- do terms.append('power(' ~ x ~ ' / 2, ' ~ i ~ ') / ' ~ factorial.value) -%}
            {%- endfor -%}
            {%- do even_sums.append('when ' ~ v ~ ' = ' ~ k ~ ' then ' ~ terms | join(' + ')) -%}
        {%- elif k > 1 -%}
            {%- set odd_product = namespace(value=1) -%}
            {%- for i in range(1, (k - 1) // 2 + 1) -%}
                {%- set odd_product.value = odd_product.value * (2 * i - 1) -%}
                {%- do terms.append('power(' ~ x ~ ', ' ~ (i - 1) ~ ') / ' ~ odd_product.value) -%}
            {%- endfor -%}
            {%- do odd_sums.append('when ' ~ v ~ ' = ' ~ k ~ ' then ' ~ terms | join(' + ')) -%}
        {%- endif -%}
    {%- endfor -%}
    case
        when {{ x }} <= 0 then 1.0e0
        when {{ v }} in (2, 4, 6, 8, 10)
            then exp(-{{ x }} / 2) * (case {{ even_sums | join(' ') }} end)
        when {{ v }} in (1, 3, 5, 7, 9)
            then 2 * {{ sql_normal_cdf('-sqrt(' ~ x ~ ')') }}
                + sqrt(2 * {{ x }} / pi()) * exp(-{{ x }} / 2)
                * (case {{ odd_sums | join(' ') }} else 0 end)
        else {{ sql_normal_cdf(
            '((1 - 2 / (9 * ' ~ v ~ ')) - power(' ~ x ~ ' / ' ~ v ~ ', 1.0e0 / 3))'
            ~ ' / sqrt(2 / (9 * ' ~ v ~ '))'
        ) }}
    end
{%- endmacro %}
