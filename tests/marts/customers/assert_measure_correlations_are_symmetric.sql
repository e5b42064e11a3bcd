-- Assert that the correlation matrix is symmetric, complete (every measure paired with every
-- measure) and has 1 on its diagonal wherever a measure varies.

with

correlations as (
    select * from {{ ref('measure_correlations') }}
),

measures as (
    select count(distinct measure_a) as measure_count
    from correlations
),

unmatched_pairs as (
    select
        pair_ab.measure_a,
        pair_ab.measure_b
    from correlations as pair_ab
    left join correlations as pair_ba
        on
            pair_ab.measure_a = pair_ba.measure_b
            and pair_ab.measure_b = pair_ba.measure_a
    where
        pair_ba.measure_a is null
        or abs(coalesce(pair_ab.correlation, 2) - coalesce(pair_ba.correlation, 2)) > 1e-12
        or pair_ab.customers != pair_ba.customers
),

diagonal_not_one as (
    select
        measure_a,
        measure_b
    from correlations
    where measure_a = measure_b and abs(correlation - 1) > 1e-9
),

incomplete as (
    select
        'matrix' as measure_a,
        'incomplete' as measure_b
    from measures
    where (select count(*) from correlations) != measure_count * measure_count
),

violations as (
    select * from unmatched_pairs
    union all
    select * from diagonal_not_one
    union all
    select * from incomplete
)

select * from violations
