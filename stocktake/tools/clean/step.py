"""What every cleaning step is: parameters checked against what the step takes (and the table it would run on),
a sentence that says what it does, direct pandas calls that do it, and the same calls as code for the script.

Nothing is ever evaluated: ``run`` calls pandas methods, and ``lines`` renders those calls with the parameters as
``repr`` of validated values, never by pasting raw text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from stocktake.errors import ParameterError, StocktakeError, UnknownNameError
from stocktake.tools.clean.preview import Preview, compare

REQUIRED = object()  # the default of a parameter that has none
JSON_NAMES = {str: "a text", int: "a whole number", float: "a number", bool: "true or false", dict: "an object",
              list: "a list"}


def shown(value, limit: int = 60) -> str:
    """A value for an error message, cut short: it may come from a tampered file."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class Param:
    name: str
    default: Any = REQUIRED
    choices: tuple = ()
    column: bool = False  # a column name, or a list of them, that must exist in the table
    many: bool = False  # a list; a single name is taken as a list of one
    help: str = ""
    types: tuple[type, ...] = ()  # the JSON types a value may have (None aside, where it is the default)


class Step:
    """A kind of cleaning step; subclasses define ``params``, ``describe``, ``run`` and ``lines``."""

    kind: ClassVar[str]
    summary: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()

    def validate(self, params: dict, table: pd.DataFrame | None = None) -> dict:
        """Parameters with defaults filled in; a clear error for a missing, unknown or out-of-choice one, and,
        given the table the step would run on, for a column it lacks."""
        if not isinstance(params, dict):
            raise ParameterError(f"The parameters of step '{self.kind}' must be an object of names and values, "
                                 f"not {type(params).__name__}.", field="params", valid="an object")
        columns = None if table is None else list(table.columns)
        known = {p.name for p in self.params}
        unknown = sorted(map(str, set(params) - known))
        if unknown:
            raise ParameterError(
                f"Step '{self.kind}' has no parameter {', '.join(unknown)}; it takes: {', '.join(sorted(known))}.",
                field=unknown[0], valid=", ".join(sorted(known)))
        out = {}
        for p in self.params:
            value = params.get(p.name, p.default)
            if value is REQUIRED:
                raise ParameterError(f"Step '{self.kind}' needs the parameter '{p.name}' ({p.help}).", field=p.name,
                                     valid=p.help)
            self._check_value(p, value, columns)
            out[p.name] = [value] if p.many and isinstance(value, str) else value
        return out

    def _check_value(self, p: Param, value, columns: list[str] | None) -> None:
        where = f"Parameter '{p.name}' of step '{self.kind}'"
        if p.choices and value not in p.choices:
            valid = ", ".join(map(str, p.choices))
            raise ParameterError(f"{where} is {shown(value)}; use one of: {valid}.", field=p.name, valid=valid)
        if p.types and value is not None and (not isinstance(value, p.types) or isinstance(value, bool)
                                              and bool not in p.types):
            names = " or ".join(JSON_NAMES[t] for t in p.types)
            raise ParameterError(f"{where} must be {names} ({p.help or p.name}), not {shown(value)}.", field=p.name,
                                 valid=names)
        if p.column and value is not None:
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not p.many and not isinstance(value, str) \
                    or not all(isinstance(n, str) for n in names):
                valid = f"a column name{' or a list of them' if p.many else ''}"
                raise ParameterError(f"{where} must be {valid}, not {shown(value)}.", field=p.name, valid=valid)
            for name in names if columns is not None else ():
                if name not in columns:
                    raise UnknownNameError("column", name, columns)

    def describe(self, params: dict) -> str:
        raise NotImplementedError

    def run(self, df: pd.DataFrame, p: dict) -> pd.DataFrame:
        """The step on a copy of the table, by direct pandas calls (``p`` validated)."""
        raise NotImplementedError

    def lines(self, p: dict) -> list[str]:
        """What ``run`` does, as pandas code that reads and rebinds ``df`` (``p`` validated)."""
        raise NotImplementedError

    def code(self, params: dict) -> str:
        """Pandas code that reads and rebinds ``df``; it needs only ``pd``, ``np``, ``re`` and ``hashlib``."""
        return "\n".join(self.lines(self.validate(params)))

    def apply(self, df: pd.DataFrame, params: dict) -> pd.DataFrame:
        params = self.validate(params, df)
        try:
            return self.run(df.copy(), params)
        # Parameters come from users (a column of the wrong type, a value that does not convert).
        except (KeyError, IndexError, ValueError, TypeError, AttributeError, OverflowError, OSError) as exc:
            raise StocktakeError(
                f"Step '{self.kind}' ({self.describe(params)}) failed on this table: {type(exc).__name__}: {exc}. "
                "Edit its parameters or reject it."
            ) from None

    def kept_rows(self, before: pd.DataFrame, after: pd.DataFrame, p: dict) -> pd.Series | None:
        """For a step that keeps one row of each group of duplicates: the row kept for each row removed (both as
        row numbers of the base table); None for every other step (``p`` validated)."""
        return None

    def preview(self, df: pd.DataFrame, params: dict, n: int = 5) -> Preview:
        after = self.apply(df, params)
        return compare(df, after, n, kept=self.kept_rows(df, after, self.validate(params, df)))
