"""The step kinds that remove rows or columns: duplicates, one row per key, missing values, orphans, columns, and
rows matching a condition (parsed by ``condition``, never evaluated)."""

from __future__ import annotations

import pandas as pd

from stocktake.errors import ParameterError, Remedy
from stocktake.tools.clean.condition import (check_types, code as condition_code, mask as condition_mask,
                                             parse as parse_condition, text as condition_text)
from stocktake.tools.clean.step import Param, Step


def kept_of_duplicates(before: pd.DataFrame, after: pd.DataFrame, key: list) -> pd.Series:
    """For each row that ``after`` lacks, the row of ``after`` with the same values in ``key`` (missing values
    equal, as ``drop_duplicates`` counts them)."""
    groups = before.groupby(key, dropna=False, sort=False).ngroup()
    kept = pd.Series(after.index, index=groups.loc[after.index].to_numpy())
    kept = kept[~kept.index.duplicated()]
    removed = before.index.difference(after.index)
    return pd.Series(kept.reindex(groups.loc[removed].to_numpy()).to_numpy(), index=removed).dropna().astype(int)


class DropDuplicates(Step):
    kind, summary = "drop_duplicates", "drop exact duplicate rows, keeping the first"
    params = (Param("subset", None, column=True, many=True, help="columns to compare; all by default"),)

    def describe(self, p):
        return "drop exact duplicate rows" + (f" (on {', '.join(p['subset'])})" if p["subset"] else "")

    def run(self, df, p):
        return df.drop_duplicates(subset=p["subset"], keep="first")

    def kept_rows(self, before, after, p):
        return kept_of_duplicates(before, after, p["subset"] or list(before.columns))

    def lines(self, p):
        return [f"df = df.drop_duplicates(subset={p['subset']!r}, keep='first')"]


class DedupeByKey(Step):
    kind, summary = "dedupe_key", "keep one row per key: the latest by a column, or the first/last seen"
    params = (
        Param("key", column=True, many=True, help="the key columns, a list"),
        Param("order_by", None, column=True, help="the column that says which row is latest"),
        Param("keep", "last", choices=("last", "first")),
    )

    def describe(self, p):
        which = f"the {'latest' if p['keep'] == 'last' else 'earliest'} by {p['order_by']}" if p["order_by"] \
            else f"the {p['keep']} seen"
        return f"keep one row per {', '.join(p['key'])} ({which})"

    def kept_rows(self, before, after, p):
        return kept_of_duplicates(before, after, p["key"])

    def run(self, df, p):
        if p["order_by"] is None:
            return df.drop_duplicates(subset=p["key"], keep=p["keep"])
        keep = df.sort_values(p["order_by"], kind="stable", na_position="first") \
            .drop_duplicates(subset=p["key"], keep=p["keep"]).index
        return df[df.index.isin(keep)]

    def lines(self, p):
        if p["order_by"] is None:
            return [f"df = df.drop_duplicates(subset={p['key']!r}, keep={p['keep']!r})"]
        return [
            f"keep = df.sort_values({p['order_by']!r}, kind='stable', na_position='first')"
            f".drop_duplicates(subset={p['key']!r}, keep={p['keep']!r}).index",
            "df = df[df.index.isin(keep)]",
        ]


class DropMissing(Step):
    kind, summary = "drop_missing", "drop rows where any of the columns is missing"
    params = (Param("columns", column=True, many=True, help="a list of columns"),)

    def describe(self, p):
        return f"drop rows with no {', '.join(p['columns'])}"

    def run(self, df, p):
        return df.dropna(subset=p["columns"])

    def lines(self, p):
        return [f"df = df.dropna(subset={p['columns']!r})"]


class DropOrphans(Step):
    kind, summary = "drop_orphans", "drop rows whose key has no match in the parent table"
    params = (
        Param("column", column=True), Param("parent_asset", types=(str,)), Param("parent_version", types=(int,)),
        Param("parent_column", types=(str,)),
        Param("parent_path", help="the parent version's Parquet snapshot", types=(str,)),
    )

    def describe(self, p):
        parent = f"{p['parent_asset']}.{p['parent_column']} (v{p['parent_version']})"
        return f"drop rows whose {p['column']} is not in {parent}"

    def run(self, df, p):
        parent_keys = pd.read_parquet(p["parent_path"], columns=[p["parent_column"]])[p["parent_column"]]
        return df[df[p["column"]].isin(parent_keys) | df[p["column"]].isna()]

    def lines(self, p):
        return [
            f"parent_keys = pd.read_parquet({p['parent_path']!r}, columns=[{p['parent_column']!r}])"
            f"[{p['parent_column']!r}]",
            f"df = df[df[{p['column']!r}].isin(parent_keys) | df[{p['column']!r}].isna()]",
        ]


class DropColumns(Step):
    kind, summary = "drop_columns", "drop columns"
    params = (Param("columns", column=True, many=True, help="a list of columns"),)

    def describe(self, p):
        return f"drop the columns {', '.join(p['columns'])}"

    def run(self, df, p):
        return df.drop(columns=p["columns"])

    def lines(self, p):
        return [f"df = df.drop(columns={p['columns']!r})"]


class DropRows(Step):
    kind, summary = "drop_rows", 'drop rows matching a condition, such as: Quantity < 0 and Country == "France"'
    params = (Param("where", types=(str,), help=(
        "the rows to drop: comparisons of a column with a value (= != < <= > >=, in [..], not in [..], is null, "
        "is not null, contains / startswith / endswith 'text'), joined with and, or, not and parentheses; "
        "`Unit Price` in backticks for a name with spaces")),)

    def validate(self, params, table=None):
        p = super().validate(params, table)
        if not p["where"].strip():
            raise ParameterError("Step 'drop_rows' needs",
                                 (Remedy("param", pair="where='<condition>'"), ', such as: price < 0 or '
                                  'status == "cancelled"'), field="where", valid="a condition")
        tree = parse_condition(p["where"])
        if table is not None:
            check_types(tree, table.dtypes)
        return p

    def describe(self, p):
        return f"drop rows where {condition_text(parse_condition(p['where']))}"

    def run(self, df, p):
        return df[~condition_mask(parse_condition(p["where"]), df)]

    def lines(self, p):
        return [f"drop = {condition_code(parse_condition(p['where']))}", "df = df[~drop]"]
