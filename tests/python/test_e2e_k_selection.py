"""End to end on the generator: the segmentation finds as many segments as the sample plants.

The sample draws customers from the first ``sample_persona_count`` personas of seed
sample_personas (income, household, purchase rate, basket, category and channel mix differ by
persona). Each setting is built through dbt (the generator, staging, features and the three
segmentation models) and the chosen k and the segments are checked against sample_truth_customers.
With one persona there is no group structure, and segment_validation must say so.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sklearn.metrics import adjusted_rand_score

from conftest import DbtBuild, run_dbt, vars_arg

pytestmark = pytest.mark.e2e

# 20,000 customers (about 17,000 purchasers): the size the k-selection comparison in DECISIONLOG
# was measured at, with the generator's own seed.
CUSTOMERS = 20_000
SEED = 7
PLANTED = (1, 3, 4, 5)


@pytest.fixture(scope="module")
def planted_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, DbtBuild]:
    """One segmentation build per number of planted personas, two at a time."""

    folders = {personas: tmp_path_factory.mktemp(f"personas_{personas}") for personas in PLANTED}

    def build(personas: int) -> DbtBuild:
        database = folders[personas] / "warehouse.duckdb"
        settings = {
            "sample_customers": CUSTOMERS,
            "sample_seed": SEED,
            "sample_persona_count": personas,
        }
        args = ["build", "--resource-type", "seed", "model", "--select"]
        args += ["+segment_validation", "sample_truth_customers", *vars_arg(settings)]
        return DbtBuild(database=database, output=run_dbt(args, database).stdout)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(PLANTED, pool.map(build, PLANTED), strict=True))


def segments_and_personas(build: DbtBuild, purchasers_only: bool) -> tuple[list, list]:
    rows = build.query(
        f"""
        select segments.segment_id, truth.persona_id
        from marts.customer_segments as segments
        inner join sample.sample_truth_customers as truth
            on segments.customer_id = cast(truth.customer_id as varchar)
        {"where not segments.is_fit_excluded" if purchasers_only else ""}
        """
    )
    return [row[0] for row in rows], [row[1] for row in rows]


@pytest.mark.parametrize("personas", [3, 4, 5])
def test_the_chosen_k_is_the_planted_number_of_personas(planted_builds, personas):
    build = planted_builds[personas]
    assert build.scalar("select count(*) from sample.sample_persona_mix") == personas
    chosen, rule = build.query(
        "select k, choice_rule from marts.segment_k_selection where is_chosen"
    )[0]
    assert chosen == personas, rule
    assert rule.startswith("largest k that it and every smaller k")
    assert build.scalar("select count(distinct segment_id) from marts.customer_segments") == chosen
    # Every k up to the planted one is reproduced on independent halves; one more is not.
    reproduced = dict(build.query("select k, is_reproduced from marts.segment_k_selection"))
    assert all(reproduced[k] for k in range(2, personas + 1))
    assert not reproduced[personas + 1]
    weak, split_half = build.query(
        "select is_structure_weak, split_half_ari from marts.segment_validation"
    )[0]
    assert not weak and split_half >= 0.9


@pytest.mark.parametrize("personas", [3, 4, 5])
def test_the_segments_are_the_planted_personas(planted_builds, personas):
    build = planted_builds[personas]
    # Purchasers shaped the segments; non-buyers are placed on demographics alone.
    assert adjusted_rand_score(*segments_and_personas(build, purchasers_only=True)) >= 0.75
    assert adjusted_rand_score(*segments_and_personas(build, purchasers_only=False)) >= 0.6


def test_one_persona_is_flagged_as_weak_structure(planted_builds):
    build = planted_builds[1]
    stability = dict(build.query("select k, stability_ari from marts.segment_k_selection"))
    # No actionable k reproduces itself: every k from 3 up is measured and falls short.
    assert max(stability[k] for k in stability if k >= 3) < 0.9
    rule = build.scalar("select choice_rule from marts.segment_k_selection where is_chosen")
    assert "weak structure" in rule
    assert build.scalar("select is_structure_weak from marts.segment_validation")
