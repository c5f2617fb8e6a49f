"""A data contract: what every version of an asset must hold, as the user keeps it in the workspace (YAML).

The model is strict: an unknown key, a value of the wrong kind, or a bound that does not fit the column's type is
refused, so a typo (``uniqe: true``) is an error instead of a check that silently never runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NUMERIC, TEMPORAL = ("integer", "float"), ("date", "timestamp")
LISTABLE = {"string": str, "integer": int, "boolean": bool}  # the types whose values a contract may list
# The storage types of stocktake.assets.storage_type.
StorageType = Literal["integer", "float", "boolean", "date", "timestamp", "string", "binary", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Reference(_Strict):
    """The column's values are found in ``asset.column``, for at least ``min_coverage`` of its non-null rows."""
    asset: str
    column: str
    min_coverage: Annotated[float, Field(ge=0, le=1)] = 1.0


class ColumnContract(_Strict):
    name: str
    type: StorageType
    not_null: bool = False
    unique: bool = False  # no two rows share a value (nulls aside)
    min: Any = None  # a number for integer and float columns, a date or timestamp for date and timestamp ones
    max: Any = None
    allowed_values: list[Any] | None = None  # string, integer and boolean columns
    references: Reference | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> ColumnContract:
        for bound in ("min", "max"):
            value = getattr(self, bound)
            if value is not None and not _is_bound(value, self.type):
                raise ValueError(f"{bound} of {self.name} must be {_bound_kind(self.type)}, not {value!r}")
        if self.min is not None and self.max is not None and _comparable(self.min) > _comparable(self.max):
            raise ValueError(f"min of {self.name} is above its max")
        if self.allowed_values is not None:
            _check_values(self.name, self.type, self.allowed_values)
        return self


class RowBounds(_Strict):
    min: Annotated[int, Field(ge=0)] | None = None
    max: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RowBounds:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("rows: min is above max")
        return self


class Freshness(_Strict):
    """The newest value of a date or timestamp column is at most ``max_age_days`` old when checked."""
    column: str
    max_age_days: Annotated[int | float, Field(gt=0)]


class Contract(_Strict):
    asset: str
    rows: RowBounds | None = None
    freshness: Freshness | None = None
    allow_extra_columns: bool = True  # columns the contract does not name are fine
    columns: list[ColumnContract] = []

    @model_validator(mode="after")
    def _one_entry_per_column(self) -> Contract:
        seen = set()
        for c in self.columns:
            if c.name in seen:
                raise ValueError(f"column {c.name} is listed twice")
            seen.add(c.name)
        return self

    def column(self, name: str) -> ColumnContract | None:
        return next((c for c in self.columns if c.name == name), None)


def _is_bound(value: Any, type_: str) -> bool:
    if type_ in NUMERIC:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return type_ in TEMPORAL and isinstance(value, dt.date)


def _bound_kind(type_: str) -> str:
    if type_ in NUMERIC:
        return "a number"
    if type_ in TEMPORAL:
        return "a date or timestamp (2024-01-31 or 2024-01-31 12:00:00)"
    return "left out: only number, date and timestamp columns have a range"


def _comparable(value: Any) -> Any:
    """Dates and timestamps on one scale (a date is its midnight); numbers as they are."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _check_values(name: str, type_: str, values: list) -> None:
    kind = LISTABLE.get(type_)
    if kind is None:
        raise ValueError(f"allowed_values of {name}: only string, integer and boolean columns list their values")
    if not values:
        raise ValueError(f"allowed_values of {name} is empty: list at least one value, or leave it out")
    for v in values:
        if type(v) is not kind:  # bool is an int to isinstance
            hint = " (quote it: YAML reads yes, no, on, off and numbers unquoted)" if kind is str else ""
            raise ValueError(f"allowed_values of {name} holds {v!r}, which is not {type_}{hint}")
