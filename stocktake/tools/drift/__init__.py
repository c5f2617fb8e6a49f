"""What changed between two versions of an asset: schema, rows, per-column statistics and distribution drift
(tested as Evidently's defaults test it), quality issues and key coverage.

Code outside this package imports from here. Behind it: ``diff`` (the comparison, over the profiler's cached
profiles and relationships), ``schema`` (added, removed, retyped and renamed-looking columns), ``stattests`` (the
choice of test per column and the tests), ``values`` (a column's values as the tests read them) and ``model``.
"""

from __future__ import annotations

from stocktake.tools.drift.diff import diff_versions
from stocktake.tools.drift.model import ColumnDiff, KeyCoverage, SchemaChange, VersionDiff
from stocktake.tools.drift.stattests import TESTS, StatTest, Values, choose_test, column_kind

__all__ = ["TESTS", "ColumnDiff", "KeyCoverage", "SchemaChange", "StatTest", "Values", "VersionDiff", "choose_test",
           "column_kind", "diff_versions"]
