"""Checking a contract against the latest version of its asset, with DuckDB over the version's Parquet snapshot.

Every count comes from one read-only query (stocktake.tools.query: bounded in time and memory, reading the
snapshots it names and nothing else); then one more per failing row check fetches a few of the rows that break
it, masked as every SQL result shown to a user is (a personal column's values whole).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from stocktake.catalog import Asset, Catalog, now_iso
from stocktake.errors import StocktakeError
from stocktake.settings import ContractSettings, GuardSettings
from stocktake.tools.contracts.checks import RowCheck, plan, quote
from stocktake.tools.contracts.model import TEMPORAL, Contract
from stocktake.tools.contracts.results import ERROR, FAIL, PASS, CheckResult, ContractResult
from stocktake.tools.profile import load_personal_columns, mask_by_source, share_text
from stocktake.tools.query import run_select
from stocktake.words import plural

ROW = "__st_row"


@dataclass(frozen=True)
class _Counts:
    rows: int
    newest: dt.datetime | None
    breaking: tuple[int, ...]  # per row check
    totals: tuple[int, ...]  # per row check, its column's non-null rows


def evaluate_contract(catalog: Catalog, contract: Contract, *, settings: ContractSettings = ContractSettings(),
                      now: dt.datetime | None = None) -> ContractResult:
    """Every check of ``contract`` on its asset's latest version. ``now`` (UTC) is what freshness is judged by."""
    asset = catalog.get(contract.asset)
    decided, row_checks = plan(catalog, contract, asset)
    fresh_column = _freshness_column(contract, asset, decided)
    try:
        counts = _count(catalog, asset, row_checks, fresh_column, settings)
    except StocktakeError as exc:
        kinds = ([("rows", None)] if contract.rows else []) + ([("freshness", None)] if fresh_column else []) \
            + [(c.kind, c.column) for c in row_checks]
        return _result(asset, contract, decided + [CheckResult(k, c, ERROR, f"could not be checked: {exc}")
                                                   for k, c in kinds])
    found = [_judge(c, counts.breaking[i], counts.totals[i]) for i, c in enumerate(row_checks)]
    examples = _Examples(catalog, asset, settings)
    found = [examples.add(c, r) for c, r in zip(row_checks, found)]
    table = [_rows(contract, counts.rows)] if contract.rows else []
    if fresh_column:
        table.append(_fresh(contract, counts.newest, now, fresh_column in examples.personal()))
    return _result(asset, contract, table + decided + found)


def _result(asset: Asset, contract: Contract, checks: list[CheckResult]) -> ContractResult:
    """Whole-table checks first, then each column's in the contract's order."""
    order = {c.name: i for i, c in enumerate(contract.columns)}
    ranked = sorted(checks, key=lambda c: -1 if c.column is None else order.get(c.column, len(order)))
    return ContractResult(asset.name, asset.version, asset.current.content_hash, now_iso(), tuple(ranked))


def _freshness_column(contract: Contract, asset: Asset, decided: list[CheckResult]) -> str | None:
    """The freshness column, where it is there and holds dates; else the check fails here (into ``decided``)."""
    if contract.freshness is None:
        return None
    name = contract.freshness.column
    type_ = next((c.type for c in asset.columns if c.name == name), None)
    if type_ in TEMPORAL:
        return name
    why = f"{asset.name} has no column {name}" if type_ is None else f"{name} is {type_}, not a date or timestamp"
    decided.append(CheckResult("freshness", None, FAIL, why))
    return None


def _count(catalog: Catalog, asset: Asset, checks: list[RowCheck], fresh: str | None,
           settings: ContractSettings) -> _Counts:
    parts = ["count(*)", f"CAST(max({quote(fresh)}) AS TIMESTAMP)" if fresh else "NULL"]
    params: list = []
    for c in checks:
        parts += [f"count(*) FILTER (WHERE {c.where})", f"count({quote(c.column)})"]
        params += c.params
    windows = "".join(f"{c.window}, " for c in checks if c.window)
    sql = f"SELECT {', '.join(parts)} FROM (SELECT {windows}* FROM {quote(asset.name)}) AS n"
    row = run_select(catalog, sql, params=params, row_limit=1, timeout_s=settings.timeout_s).rows[0]
    return _Counts(row[0], row[1], tuple(row[2::2]), tuple(row[3::2]))


def _judge(check: RowCheck, breaking: int, total: int) -> CheckResult:
    if check.min_share is None:
        what = f"{plural(breaking, 'row')} break it" if breaking != 1 else "1 row breaks it"
        return CheckResult(check.kind, check.column, FAIL if breaking else PASS,
                           f"{what} ({check.rule})" if breaking else check.rule, breaking)
    coverage = (total - breaking) / total if total else 1.0
    unmatched = f"; {plural(breaking, 'row')} match none" if breaking else ""
    return CheckResult(check.kind, check.column, PASS if coverage >= check.min_share else FAIL,
                       f"{share_text(coverage)} found ({check.rule}){unmatched}", breaking, round(coverage, 6))


def _rows(contract: Contract, rows: int) -> CheckResult:
    low, high = contract.rows.min, contract.rows.max
    ok = (low is None or rows >= low) and (high is None or rows <= high)
    wanted = []
    if low is not None:
        wanted.append(f"at least {low:,}")
    if high is not None:
        wanted.append(f"at most {high:,}")
    message = f"{plural(rows, 'row')}; {' and '.join(wanted) or 'any number'} wanted"
    return CheckResult("rows", None, PASS if ok else FAIL, message, observed=rows)


def _fresh(contract: Contract, newest: dt.datetime | None, now: dt.datetime | None, personal: bool) -> CheckResult:
    column, most = contract.freshness.column, contract.freshness.max_age_days
    if newest is None:
        return CheckResult("freshness", None, FAIL, f"{column} holds no date")
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    age = (now - newest).total_seconds() / 86_400
    shown = None if personal else newest.isoformat(sep=" ")
    newest_text = f"the newest {column}" + (f" ({shown})" if shown else "")
    return CheckResult("freshness", None, PASS if age <= most else FAIL,
                       f"{newest_text} is {age:,.1f} days old; at most {most:g} wanted", observed=shown)


class _Examples:
    """A few breaking rows of each failing row check, with their 1-based row number, masked; the asset's personal
    columns are read (from its cached profile) only when something needs them."""

    def __init__(self, catalog: Catalog, asset: Asset, settings: ContractSettings):
        self.catalog, self.asset, self.settings = catalog, asset, settings
        self._personal = None

    def personal(self):
        if self._personal is None:
            self._personal = load_personal_columns(self.catalog, [self.asset.name])
        return self._personal.of(self.asset.name)

    def add(self, check: RowCheck, result: CheckResult) -> CheckResult:
        if result.status != FAIL or not result.breaking_rows:
            return result
        window = f"{check.window}, " if check.window else ""
        sql = (f"SELECT {ROW}, {quote(check.column)} FROM (SELECT row_number() OVER () AS {ROW}, {window}* "
               f"FROM {quote(self.asset.name)}) AS n WHERE {check.where} ORDER BY {ROW}")
        try:
            found = run_select(self.catalog, sql, params=list(check.params), row_limit=self.settings.examples,
                               timeout_s=self.settings.timeout_s)
        except StocktakeError:
            return result  # the count stands; only the examples are left out
        self.personal()
        masked = mask_by_source(found, [None, (self.asset.name, check.column)], self._personal, GuardSettings())
        return replace(result, examples=tuple((int(r[0]), r[1]) for r in masked.rows))
