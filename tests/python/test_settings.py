"""Settings of the Python models: read by var name from config.meta, typed, nothing defaulted."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest
from project_settings import PROJECT_VARS, project_settings

from python_udfs.clv import ClvSettings
from python_udfs.response import ResponseSettings
from python_udfs.segment_model import ModelSettings
from python_udfs.segmentation import SegmentationSettings
from python_udfs.settings import from_var, setting_vars, settings_from_meta
from python_udfs.uplift import UpliftSettings


@dataclass(frozen=True)
class Example:
    count: int = from_var("example_count")
    share: float | None = from_var("example_share")
    flag: bool = from_var("example_flag")
    rule: str = from_var("example_rule")
    threads: int = 1


META = {"example_count": 3, "example_share": 0.5, "example_flag": True, "example_rule": "vote"}


def test_settings_are_read_by_var_name_and_other_keys_are_ignored():
    settings = settings_from_meta(Example, {**META, "count": 99, "owner": "x"})
    assert settings == Example(count=3, share=0.5, flag=True, rule="vote", threads=1)


def test_values_rendered_as_text_get_the_field_type():
    text = {"example_count": "4", "example_share": "None", "example_flag": "false",
            "example_rule": "stability"}  # fmt: skip
    settings = settings_from_meta(Example, text)
    assert (settings.count, settings.share, settings.flag, settings.rule) == (
        4, None, False, "stability"
    )  # fmt: skip
    assert isinstance(settings.count, int)


def test_a_missing_var_is_an_error_that_names_it_and_nothing_is_defaulted():
    with pytest.raises(KeyError, match="needs var\\(s\\) example_flag, example_rule"):
        settings_from_meta(Example, {"example_count": 1, "example_share": None})


def test_null_and_malformed_values_are_refused_where_the_field_cannot_hold_them():
    with pytest.raises(ValueError, match="var example_count may not be null"):
        settings_from_meta(Example, {**META, "example_count": None})
    with pytest.raises(ValueError, match="example_flag must be true or false, not 'yes'"):
        settings_from_meta(Example, {**META, "example_flag": "yes"})


@pytest.mark.parametrize(
    "settings_class",
    [ClvSettings, ModelSettings, ResponseSettings, SegmentationSettings, UpliftSettings],
)
def test_every_setting_comes_from_a_var_of_dbt_project_yml(settings_class):
    # The defaults are written once, in dbt_project.yml: no field that a var sets has its own.
    names = setting_vars(settings_class)
    for setting in fields(settings_class):
        if setting.name in names:
            assert names[setting.name] in PROJECT_VARS, setting.name
            assert setting.default is setting.default_factory, setting.name  # both MISSING
    built = project_settings(settings_class)
    for name, var in names.items():
        if PROJECT_VARS[var] is not None:
            assert getattr(built, name) == PROJECT_VARS[var]
