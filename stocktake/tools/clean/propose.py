"""Proposals: an ordered list of cleaning steps for one table, each with what, why and its parameters.

The profiler's issues and semantic types say where the problems are; each rule (``rules``) turns them into a
step. Where an issue lacks what a step needs (the column that says which duplicate is latest) or what a
step needs is no issue kind (text to trim, identifiers stored as decimals, dates kept as text), a rule has a
small check of its own; spelling clusters come from the profiler and otherwise from ``cluster_spellings``.
The label audit, when one was saved for this very version, supplies relabelling suggestions.

Every proposal is tried in order on the table left by the ones before it, so its row count is what
accepting all of them in order would do, and a proposal that would change nothing is left out.
"""

from __future__ import annotations

import pandas as pd

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.tools.clean.preview import compare
from stocktake.tools.clean.proposal import CleanSettings, Proposal
from stocktake.tools.clean.rules import RULES, Context
from stocktake.tools.clean.steps import get_step
from stocktake.tools.profile import whole_columns


def propose_steps(catalog: Catalog, asset: str, version: int | None = None,
                  settings: CleanSettings = CleanSettings()) -> list[Proposal]:
    """The ordered proposals for one asset version, each with the rows it changes in sequence."""
    meta = catalog.get(asset, version)
    df = catalog.load(asset, meta.version)
    from stocktake.tools.profile import profile_asset

    profile = profile_asset(catalog, asset, meta.version)
    personal = whole_columns(profile)
    ctx = Context(catalog, asset, meta.version, meta.kind, df, tuple(profile.issues),
                  {c.name: c.semantic_type for c in profile.columns}, personal, settings,
                  _label_audit(catalog, asset, meta.version))
    drafts = [p for rule in RULES for p in rule(ctx)]
    return _sequence(df, drafts)


def _sequence(df: pd.DataFrame, drafts: list[Proposal]) -> list[Proposal]:
    """Drafts tried in order on the table the earlier ones leave; those that fail or change nothing go."""
    out = []
    for draft in drafts:
        step = get_step(draft.kind)
        try:
            after = step.apply(df, draft.params)
        except StocktakeError:
            continue
        rows = compare(df, after, 0).rows_affected
        if rows:
            out.append(Proposal(draft.kind, step.validate(draft.params), draft.what, draft.why, rows))
            df = after
    return out


def _label_audit(catalog: Catalog, asset: str, version: int):
    from stocktake.tools.classify.audit import load_audit

    report = load_audit(catalog.ws, asset)
    return report if report is not None and report.asset_version == version else None
