"""Cleaning step types: each applies itself with direct pandas calls on validated parameters, and writes the
same calls as a few lines of pandas code for the exported script.

That the script does exactly what ``apply`` does is checked by running the script for every step kind
(tests/test_clean_script.py). Steps keep the DataFrame index (the row number in the session's base table) so that
previews can put a row's before and after side by side and relabelling can name rows of the base table.
"""

from __future__ import annotations

from stocktake.errors import UnknownNameError
from stocktake.tools.clean.row_steps import DedupeByKey, DropColumns, DropDuplicates, DropMissing, DropOrphans, DropRows
from stocktake.tools.clean.step import REQUIRED, Step
from stocktake.tools.clean.value_steps import (
    CastType, FillMissing, MaskPII, NormaliseText, OutOfRange, ParseDates, Relabel, UnifyCategories,
)

STEP_TYPES: dict[str, Step] = {cls.kind: cls() for cls in (
    DropDuplicates, DedupeByKey, DropMissing, FillMissing, ParseDates, NormaliseText, UnifyCategories,
    OutOfRange, CastType, MaskPII, Relabel, DropOrphans, DropColumns, DropRows,
)}


def get_step(kind: str) -> Step:
    if not isinstance(kind, str) or kind not in STEP_TYPES:
        raise UnknownNameError("cleaning step kind", str(kind)[:60], STEP_TYPES)
    return STEP_TYPES[kind]


def describe_kinds() -> list[dict]:
    """Every step kind with its parameters, for help texts and the agent."""
    return [
        {"kind": s.kind, "summary": s.summary,
         "params": [{"name": p.name, "required": p.default is REQUIRED,
                     "default": None if p.default is REQUIRED else p.default,
                     "choices": list(p.choices), "help": p.help, "column": p.column} for p in s.params]}
        for s in STEP_TYPES.values()
    ]
