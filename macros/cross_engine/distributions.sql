{#- Distribution functions for the A/B test readout. On DuckDB they call the scipy-backed UDFs of
    python_udfs/ (exact); PostgreSQL and Spark have no such functions, so there they are closed-form
    SQL approximations, in doubles (Spark's decimal arithmetic would round them):
    - normal_cdf: Numerical Recipes' erfc, relative error below 1.2e-7 even in the tails;
    - normal_quantile: Acklam's rational approximation, relative error below 1.2e-9;
    - student_t_cdf: Peizer-Pratt's normal transform, absolute error below 1e-6 from 100 degrees
      of freedom (1e-3 from 5); A/B tests have hundreds or thousands;
    - student_t_quantile: Cornish-Fisher expansion to 1/df^4, relative error below 1e-8 from 30
      degrees of freedom (4e-6 at 10);
    - chi_square_sf: exact finite series for 1-10 degrees of freedom (arms - 1), Wilson-Hilferty
      beyond.
    tests/marts/campaigns/assert_distribution_macros_pin_scipy_values pins them on every engine. -#}

{% macro normal_cdf(x) -%}
    {{ return(adapter.dispatch('normal_cdf')(x)) }}
{%- endmacro %}

{% macro default__normal_cdf(x) -%}
    normal_cdf({{ x }})
{%- endmacro %}

{% macro postgres__normal_cdf(x) -%}
    {{ sql_normal_cdf(x) }}
{%- endmacro %}

{% macro spark__normal_cdf(x) -%}
    {{ sql_normal_cdf(x) }}
{%- endmacro %}

{% macro sql_normal_cdf(x) -%}
    {#- Phi(x) = erfc(-x / sqrt 2) / 2, erfc by Numerical Recipes' Chebyshev fit (erfcc). -#}
    {%- set u = '(-(' ~ as_double(x) ~ ') / sqrt(2.0e0))' -%}
    {%- set z = 'abs' ~ u -%}
    {%- set t = '(1.0e0 / (1.0e0 + 0.5e0 * ' ~ z ~ '))' -%}
    {%- set coefficients = [
        -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
        0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277
    ] -%}
    {%- set polynomial = namespace(text=coefficients[-1] ~ 'e0') -%}
    {%- for coefficient in coefficients[:-1] | reverse -%}
        {%- set polynomial.text = coefficient ~ 'e0 + ' ~ t ~ ' * (' ~ polynomial.text ~ ')' -%}
    {%- endfor -%}
    {%- set tail = t ~ ' * exp(-' ~ z ~ ' * ' ~ z ~ ' + ' ~ polynomial.text ~ ')' -%}
    (0.5e0 * case when {{ u }} >= 0 then {{ tail }} else 2.0e0 - {{ tail }} end)
{%- endmacro %}

{% macro normal_quantile(p) -%}
    {{ return(adapter.dispatch('normal_quantile')(p)) }}
{%- endmacro %}

{% macro default__normal_quantile(p) -%}
    normal_quantile({{ p }})
{%- endmacro %}

{% macro postgres__normal_quantile(p) -%}
    {{ sql_normal_quantile(p) }}
{%- endmacro %}

{% macro spark__normal_quantile(p) -%}
    {{ sql_normal_quantile(p) }}
{%- endmacro %}

{#- Horner form of a polynomial with the given coefficients (highest power first) in `x`. -#}
{% macro horner(coefficients, x) -%}
    {%- set text = namespace(value=coefficients[0] ~ 'e0') -%}
    {%- for coefficient in coefficients[1:] -%}
        {%- set text.value = '(' ~ text.value ~ ') * ' ~ x ~ ' + ' ~ coefficient ~ 'e0' -%}
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

{% macro student_t_cdf(t, df) -%}
    {{ return(adapter.dispatch('student_t_cdf')(t, df)) }}
{%- endmacro %}

{% macro default__student_t_cdf(t, df) -%}
    student_t_cdf({{ t }}, {{ df }})
{%- endmacro %}

{% macro postgres__student_t_cdf(t, df) -%}
    {{ sql_student_t_cdf(t, df) }}
{%- endmacro %}

{% macro spark__student_t_cdf(t, df) -%}
    {{ sql_student_t_cdf(t, df) }}
{%- endmacro %}

{% macro sql_student_t_cdf(t, df) -%}
    {%- set t = as_double(t) -%}
    {%- set df = as_double(df) -%}
    {%- set z = 'sign(' ~ t ~ ') * (' ~ df ~ ' - 2.0e0 / 3 + 1 / (10 * ' ~ df ~ '))'
        ~ ' * sqrt(ln(1 + ' ~ t ~ ' * ' ~ t ~ ' / ' ~ df ~ ') / (' ~ df ~ ' - 5.0e0 / 6))' -%}
    {{ sql_normal_cdf(z) }}
{%- endmacro %}

{% macro student_t_quantile(p, df) -%}
    {{ return(adapter.dispatch('student_t_quantile')(p, df)) }}
{%- endmacro %}

{% macro default__student_t_quantile(p, df) -%}
    student_t_quantile({{ p }}, {{ df }})
{%- endmacro %}

{% macro postgres__student_t_quantile(p, df) -%}
    {{ sql_student_t_quantile(p, df) }}
{%- endmacro %}

{% macro spark__student_t_quantile(p, df) -%}
    {{ sql_student_t_quantile(p, df) }}
{%- endmacro %}

{% macro sql_student_t_quantile(p, df) -%}
    {%- set z = '(' ~ sql_normal_quantile(p) ~ ')' -%}
    {%- set v = as_double(df) -%}
    {%- set g1 = '(' ~ horner([1, 0, 1, 0], z) ~ ') / 4' -%}
    {%- set g2 = '(' ~ horner([5, 0, 16, 0, 3, 0], z) ~ ') / 96' -%}
    {%- set g3 = '(' ~ horner([3, 0, 19, 0, 17, 0, -15, 0], z) ~ ') / 384' -%}
    {%- set g4 = '(' ~ horner([79, 0, 776, 0, 1482, 0, -1920, 0, -945, 0], z) ~ ') / 92160' -%}
    ({{ z }} + {{ g1 }} / {{ v }} + {{ g2 }} / power({{ v }}, 2)
        + {{ g3 }} / power({{ v }}, 3) + {{ g4 }} / power({{ v }}, 4))
{%- endmacro %}

{% macro chi_square_sf(x, df) -%}
    {{ return(adapter.dispatch('chi_square_sf')(x, df)) }}
{%- endmacro %}

{% macro default__chi_square_sf(x, df) -%}
    chi_square_sf({{ x }}, {{ df }})
{%- endmacro %}

{% macro postgres__chi_square_sf(x, df) -%}
    {{ sql_chi_square_sf(x, df) }}
{%- endmacro %}

{% macro spark__chi_square_sf(x, df) -%}
    {{ sql_chi_square_sf(x, df) }}
{%- endmacro %}

{% macro sql_chi_square_sf(x, df) -%}
    {#- Even k: exp(-x/2) * sum over i < k/2 of (x/2)^i / i!. Odd k: 2 (1 - Phi(sqrt x)) plus
        sqrt(2x/pi) exp(-x/2) * sum over 1 <= i <= (k-1)/2 of x^(i-1) / (1 * 3 * ... * (2i-1)). -#}
    {%- set x = as_double(x) -%}
    {%- set v = as_double(df) -%}
    case
        when {{ x }} <= 0 then 1.0e0
        {% for k in range(1, 11) -%}
            {%- set terms = [] -%}
            {%- if k % 2 == 0 -%}
                {%- set factorial = namespace(value=1) -%}
                {%- for i in range(k // 2) -%}
                    {%- if i > 0 %}{% set factorial.value = factorial.value * i %}{% endif -%}
                    {%- do terms.append('power(' ~ x ~ ' / 2, ' ~ i ~ ') / ' ~ factorial.value) -%}
                {%- endfor %}
        when {{ v }} = {{ k }} then exp(-{{ x }} / 2) * ({{ terms | join(' + ') }})
            {%- else -%}
                {%- set odd_product = namespace(value=1) -%}
                {%- for i in range(1, (k - 1) // 2 + 1) -%}
                    {%- set odd_product.value = odd_product.value * (2 * i - 1) -%}
                    {%- do terms.append('power(' ~ x ~ ', ' ~ (i - 1) ~ ') / ' ~ odd_product.value) -%}
                {%- endfor %}
        when {{ v }} = {{ k }} then 2 * {{ sql_normal_cdf('-sqrt(' ~ x ~ ')') }}
                {%- if terms %}
            + sqrt(2 * {{ x }} / pi()) * exp(-{{ x }} / 2) * ({{ terms | join(' + ') }})
                {%- endif %}
            {%- endif %}
        {% endfor -%}
        else {{ sql_normal_cdf(
            '((1 - 2 / (9 * ' ~ v ~ ')) - power(' ~ x ~ ' / ' ~ v ~ ', 1.0e0 / 3))'
            ~ ' / sqrt(2 / (9 * ' ~ v ~ '))'
        ) }}
    end
{%- endmacro %}
