"""The suite's own scheduling rule (conftest.py): a test that reads a shared build runs on the
worker that holds it, however it asks for the build, so no build is made twice."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import reads_shared_build


def item(fixtures: list[str], params: dict | None = None, module: str = "test_x"):
    callspec = SimpleNamespace(params=params) if params is not None else None
    return SimpleNamespace(
        fixturenames=fixtures, callspec=callspec, module=SimpleNamespace(__name__=module)
    )


@pytest.mark.parametrize(
    ("test", "shared"),
    [
        (item(["sample_build"]), True),
        # Named by a parameter and fetched with request.getfixturevalue.
        (item(["build_name", "request"], {"build_name": "marketing_build"}), True),
        (item(["build_name", "request"], {"build_name": "other_build"}), False),
        (item(["tmp_path"], {"delimiter": ";"}), False),
        (item(["tmp_path"], None, module="test_dashboard"), True),
    ],
)
def test_a_test_reading_a_shared_build_joins_its_worker(test, shared):
    assert reads_shared_build(test) is shared
