"""Settings of the Python models, from the vars of dbt_project.yml.

dbt Python models read vars only through their config, so the properties files give each Python
model the vars its settings read in ``config.meta``, under the vars' own names (one YAML anchor
per group, e.g. ``segmentation_settings``). A settings dataclass names the var behind each field
(``from_var``) and has no defaults of its own: they are the vars' defaults in dbt_project.yml.
"""

from __future__ import annotations

import math
from dataclasses import field, fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Settings = TypeVar("Settings", bound="DataclassInstance")
NULLS = (None, "", "None", "none", "null")


def from_var(var: str) -> Any:
    """A dataclass field filled from the dbt var ``var`` (no default: dbt_project.yml has it)."""
    return field(metadata={"var": var})


def setting_vars(settings_class: type) -> dict[str, str]:
    """Field name -> the var it comes from, for every field of ``settings_class`` a var sets."""
    return {
        setting.name: setting.metadata["var"]
        for setting in fields(settings_class)
        if "var" in setting.metadata
    }


def setting_value(value: Any, annotation: str, var: str) -> Any:
    """A var's value as the field's type: a config value may arrive as text (``"None"``,
    ``"2"``, ``"true"``) depending on how the engine renders it. Null stays None where the
    field allows it."""
    if value in NULLS or (isinstance(value, float) and math.isnan(value)):
        if "None" not in annotation:
            raise ValueError(f"var {var} may not be null")
        return None
    base = annotation.replace("| None", "").strip()
    if base == "bool":
        if isinstance(value, str):
            if value.strip().lower() not in ("true", "false"):
                raise ValueError(f"var {var} must be true or false, not {value!r}")
            return value.strip().lower() == "true"
        return bool(value)
    if base == "int":
        return int(value)
    if base == "float":
        return float(value)
    return str(value)


def settings_from_meta(settings_class: type[Settings], meta: dict | None) -> Settings:
    """A settings dataclass from a dbt model's config.meta (keys are var names); a var missing
    from it is an error that names the var and where it is set."""
    meta = meta or {}
    types = {setting.name: str(setting.type) for setting in fields(settings_class)}
    values, missing = {}, []
    for name, var in setting_vars(settings_class).items():
        if var not in meta:
            missing.append(var)
            continue
        values[name] = setting_value(meta[var], types[name], var)
    if missing:
        raise KeyError(
            f"{settings_class.__name__} needs var(s) {', '.join(missing)} in the model's "
            "config.meta: its properties file passes them (the group's *_settings anchor)"
        )
    return settings_class(**values)
