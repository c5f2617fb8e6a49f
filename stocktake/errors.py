"""User-facing errors: one line that says what is wrong and what to do."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class StocktakeError(Exception):
    """An error whose message is shown to the user as is (no traceback)."""

    def for_face(self, face: str) -> str:
        return str(self)


class UnknownNameError(StocktakeError, KeyError):
    """A name (asset, column, model, session) that does not exist; the message suggests real ones."""

    def __init__(self, what: str, name: str, known: Iterable[str]):
        self.what, self.name, self.known = what, name, list(dict.fromkeys(known))
        self.suggestions = suggest(name, self.known)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.suggestions:
            hint = f" Did you mean: {', '.join(self.suggestions)}?"
        elif self.known:
            more = ", …" if len(self.known) > 12 else ""
            hint = f" Valid: {', '.join(self.known[:12])}{more}."
        else:
            hint = ""
        return f"No {self.what} named '{self.name}'.{hint}"


def suggest(name: str, known: Iterable[str], n: int = 5) -> list[str]:
    """Real names close to ``name``: prefix and substring matches first, then fuzzy ones."""
    known = list(dict.fromkeys(known))
    low = name.lower()
    contains = [k for k in known if low and (low in k.lower() or k.lower() in low)]
    fuzzy = difflib.get_close_matches(name, known, n=n, cutoff=0.5)
    if not fuzzy:
        lowered = {k.lower(): k for k in known}
        fuzzy = [lowered[m] for m in difflib.get_close_matches(low, list(lowered), n=n, cutoff=0.5)]
    return list(dict.fromkeys(contains + fuzzy))[:n]


class ParameterError(StocktakeError):
    """A cleaning step's parameter that is missing, unknown or not valid: which one (``field``), and what would be
    (``valid``), so a form can point at the field while the message stays one line."""

    def __init__(self, message: str, *, field: str, valid: str = ""):
        self.field, self.valid = field, valid
        super().__init__(message)
