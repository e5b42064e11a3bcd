"""Settings dataclasses of python_udfs with the defaults of dbt_project.yml's vars, the one place
those defaults are written, so the unit tests run the maths with the settings a build uses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

import yaml

from conftest import PROJECT_DIR
from python_udfs.settings import setting_vars, settings_from_meta

Settings = TypeVar("Settings")
PROJECT_VARS: dict[str, Any] = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def project_meta(settings_class: type) -> dict[str, Any]:
    """The config.meta a build gives a model that reads ``settings_class``, on the defaults."""
    return {var: PROJECT_VARS[var] for var in setting_vars(settings_class).values()}


def project_settings(settings_class: type[Settings], **overrides: Any) -> Settings:
    """``settings_class`` as dbt_project.yml's var defaults make it, with ``overrides``."""
    settings = settings_from_meta(settings_class, project_meta(settings_class))
    return replace(settings, **overrides)
