"""The typed query plan: what a question asks of the data, before any SQL exists.

A plan names columns only as ``asset.column`` references and carries values as data; ``compile`` turns it into
DuckDB SQL with quoted identifiers and bound parameters. The same model is the ``query_data`` tool's
argument schema, so a language model fills a validated plan instead of writing SQL.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Aggregate = Literal["count", "count_distinct", "sum", "mean", "median", "min", "max", "share"]
Operator = Literal["=", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_null", "not_null", "contains", "startswith",
                   "between", "outside"]
Bucket = Literal["hour", "day", "week", "month", "quarter", "year", "weekday"]
Scalar = str | int | float | bool


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Col(Frozen):
    """A column of an asset."""
    asset: str = Field(description="Asset (table) name exactly as in the catalog.")
    column: str = Field(description="Column name exactly as in the asset.")

    def label(self) -> str:
        return f"{self.asset}.{self.column}"


class Filter(Frozen):
    """A condition on one column: a value comparison, a list, a range or a null test."""
    column: Col
    op: Operator
    value: Scalar | list[Scalar] | None = Field(None, description="The value(s); two for between; none for null tests.")

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Filter:
        if self.op in ("is_null", "not_null"):
            if self.value is not None:
                raise ValueError(f"{self.op} takes no value")
        elif self.op in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"{self.op} needs a non-empty list of values")
        elif self.op in ("between", "outside"):
            if not isinstance(self.value, list) or len(self.value) != 2:
                raise ValueError(f"{self.op} needs a list of two values [low, high]")
        elif self.value is None or isinstance(self.value, list):
            raise ValueError(f"{self.op} needs one value")
        return self


# The time between two dates, in each unit a Derived op may ask for, and the words for each unit.
SECONDS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
TIME_UNITS = {"day": "days", "days": "days", "hour": "hours", "hours": "hours", "hrs": "hours", "hr": "hours",
              "minute": "minutes", "minutes": "minutes", "mins": "minutes", "week": "weeks", "weeks": "weeks"}
# A condition read from the other side: "a before b" is "b after a".
FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


class Derived(Frozen):
    """A measure computed from two columns of one row, e.g. revenue = quantity × unit_price."""
    name: str = Field(description="What the result is called, e.g. revenue.")
    op: Literal["*", "-", "+", "/", "days", "hours", "minutes", "weeks"] = Field(
        description="How the two columns combine; days, hours, minutes, weeks: the time from right to left in that unit.")
    left: Col
    right: Col

    @property
    def formula(self) -> str:
        """"hours from ordered_at to approved_at", "quantity × unit_price"."""
        if self.op in SECONDS:
            return f"{self.op} from {self.right.column} to {self.left.column}"
        return f"{self.left.column} {'×' if self.op == '*' else self.op} {self.right.column}"


class Measure(Frozen):
    """What is computed: an aggregate over a column, over a derived value, or a count of rows."""
    agg: Aggregate = Field(description="count (rows), count_distinct, sum, mean, median, min, max, or share "
                                       "(percent of rows in each group).")
    column: Col | None = Field(None, description="The column aggregated; empty for count of rows and share.")
    derived: Derived | None = Field(None, description="A value computed per row from two columns, instead of column.")
    per: Col | None = Field(None, description="For an average per entity ('ratings per user'): the measure is "
                                              "divided by the number of distinct values of this column.")
    part: tuple[Filter, ...] = Field((), description="For share without groups: the rows counted as the part, "
                                                     "as a percent of all rows that meet the plan's filters.")

    @model_validator(mode="after")
    def _needs_a_value(self) -> Measure:
        if self.agg not in ("count", "share") and self.column is None and self.derived is None:
            raise ValueError(f"the aggregate {self.agg} needs a column or a derived value")
        if self.column is not None and self.derived is not None:
            raise ValueError("give either column or derived, not both")
        return self


class Compare(Frozen):
    """A condition between two columns of the same row, e.g. delivered after the estimated date."""
    left: Col
    op: Literal["<", "<=", ">", ">=", "=", "!="]
    right: Col
    factor: float = Field(1.0, gt=0, description="For numbers: the right side times this ('freight above half the "
                                                 "price': 0.5).")
    days: float = Field(0.0, description="For dates: the time from right to left compared with this many days "
                                         "instead of the dates themselves ('answered more than a week after "
                                         "sent': > 7).")


class Having(Frozen):
    """A condition on a group's measure: "movies with at least 50 ratings", "customers with more than 5 orders"."""
    measure: Measure
    op: Literal["<", "<=", ">", ">=", "=", "!="]
    value: int | float


class Group(Frozen):
    """Group rows by a column, or by a time bucket of a date/timestamp column."""
    column: Col
    bucket: Bucket | None = Field(None, description="Only for date and timestamp columns.")


class QueryPlan(Frozen):
    """A question about the data as a query: the rows it reads, what it computes, how it groups and sorts.

    Without ``measures`` the plan lists rows (``select`` columns, or all columns of ``asset``).
    """
    asset: str = Field(description="The asset whose rows are counted, measured or listed.")
    measures: tuple[Measure, ...] = Field((), description="What to compute; empty to list rows.")
    filters: tuple[Filter, ...] = Field((), description="Conditions every row must meet (all of them).")
    compares: tuple[Compare, ...] = Field((), description="Conditions between two columns of a row.")
    group_by: tuple[Group, ...] = Field((), description="Groups, at most two.")
    having: tuple[Having, ...] = Field((), description="Conditions on each group's measures (needs group_by).")
    count_groups: bool = Field(False, description="Answer with the number of groups that meet the conditions, e.g. "
                                                  "how many customers have more than 5 orders.")
    absent: tuple[str, ...] = Field((), description="Related assets that must have no row for this one, e.g. "
                                                    "products with no reviews.")
    present: tuple[str, ...] = Field((), description="Related assets that must have a row for this one, e.g. "
                                                     "customers who placed orders.")
    select: tuple[Col, ...] = Field((), description="Columns to list when there are no measures.")
    distinct: bool = Field(False, description="List each combination of the select columns once (e.g. the "
                                              "description of a stock code that many rows repeat).")
    order: Literal["desc", "asc"] | None = Field(None, description="Sort by the first measure (or the first "
                                                                   "select column when listing).")
    order_by: Col | None = Field(None, description="Sort listed rows by this column instead.")
    limit: int | None = Field(None, ge=1, le=1000, description="Keep the first N groups or rows.")

    @model_validator(mode="after")
    def _shape(self) -> QueryPlan:
        if len(self.group_by) > 2:
            raise ValueError("at most two group_by entries")
        if self.group_by and not self.measures:
            raise ValueError("group_by needs a measure")
        if (self.having or self.count_groups) and not self.group_by:
            raise ValueError("having and count_groups need group_by")
        if self.distinct and (self.measures or not self.select or self.order_by is not None):
            raise ValueError("distinct lists select columns without measures or order_by")
        return self

    def columns(self) -> list[Col]:
        """Every column the plan touches."""
        cols: list[Col] = []
        for m in self.measures:
            cols += [c for c in (m.column, m.per) if c is not None]
            if m.derived is not None:
                cols += [m.derived.left, m.derived.right]
        cols += [f.column for f in self.filters] + [g.column for g in self.group_by] + list(self.select)
        cols += [c for cmp in self.compares for c in (cmp.left, cmp.right)]
        cols += [c for h in self.having for c in (h.measure.column, h.measure.per) if c is not None]
        if self.order_by is not None:
            cols.append(self.order_by)
        return cols

    def assets(self) -> list[str]:
        return list(dict.fromkeys([self.asset, *(c.asset for c in self.columns()), *self.absent, *self.present]))
