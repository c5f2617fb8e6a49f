"""User-facing errors: what is wrong, which input, and what to do, each face saying it in its own words.

An engine raises a ``StocktakeError`` with a ``problem`` and a ``fix``. Each is text, or a sequence of text and
pieces that every face words in its own way: an ``Option`` (an input, named as the CLI's option, the app's control
or the tool's argument), a ``Remedy`` (a way out, one row of ``stocktake.remedies.REMEDIES``) or another error that
this one wraps. ``for_face("cli" | "web" | "model")`` renders the message; ``str()`` is the CLI's wording.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from typing import Union

from stocktake.remedies import FACES, OPTIONS, REMEDIES, Words


class _Hint:
    """Words that depend on the face: a row of ``table``, its ``{placeholders}`` filled in with ``args``."""

    table: dict[str, Words]

    def __init__(self, name: str, /, **args: object):
        if name not in self.table:
            raise ValueError(f"no {type(self).__name__.lower()} named {name!r}")
        self.name, self.args = name, args

    def words(self, face: str) -> str:
        return getattr(self.table[self.name], face).format(**self.args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Remedy(_Hint):
    """A named way out of an error (replace or rename, give the delimiter, …)."""

    table = REMEDIES


class Option(_Hint):
    """An input the user gave or can give: ``--user`` on the command line, a box in the app, an argument of a tool."""

    table = OPTIONS


Text = Union[str, _Hint, "StocktakeError", Sequence["Text"]]


class StocktakeError(Exception):
    """An error whose message is shown to the user as is (no traceback), in the words of the face that shows it.

    ``problem`` says what is wrong and ``fix`` what to do; ``file``, ``row``, ``column``, ``asset`` and ``option``
    name the input at fault where there is one (``option`` defaults to the first ``Option`` the problem names).
    """

    def __init__(self, problem: Text = "", fix: Text = "", *, file: str | None = None, row: int | None = None,
                 column: str | None = None, asset: str | None = None, option: str | None = None):
        self.problem, self.fix = problem, fix
        self.file, self.row, self.column, self.asset = file, row, column, asset
        self.option = option or next((p.name for p in _pieces(problem) if isinstance(p, Option)), None)
        super().__init__(self.for_face("cli"))

    @property
    def remedies(self) -> tuple[str, ...]:
        """The names of the remedies this error offers, in order."""
        return tuple(p.name for p in _pieces((self.problem, self.fix)) if isinstance(p, Remedy))

    def for_face(self, face: str) -> str:
        """The message as ``face`` (one of ``FACES``) says it. A fix is a sentence of its own, except that one
        starting with a comma, colon or semicolon goes on with the problem's sentence."""
        if face not in FACES:
            raise ValueError(f"unknown face {face!r}: use one of {', '.join(FACES)}")
        problem = _render(self.problem, face)
        fix = _render(self.fix, face, problem + " ")
        if not fix:
            return problem
        fix = fix if fix.endswith((".", "?", "!")) else fix + "."
        return problem + ("" if not problem or fix.startswith((",", ";", ":")) else " ") + fix

    def __str__(self) -> str:
        return self.for_face("cli")


def _pieces(text: Text) -> Iterator[str | _Hint | StocktakeError]:
    if isinstance(text, (str, _Hint, StocktakeError)):
        yield text
    else:
        for part in text:
            yield from _pieces(part)


def _render(text: Text, face: str, before: str = "") -> str:
    """``text`` in ``face``'s words. A remedy that starts a sentence (after ``before``) gets a capital letter; an
    option is a name, written as it is."""
    out = before
    for piece in _pieces(text):
        if isinstance(piece, str):
            out += piece
        elif isinstance(piece, StocktakeError):
            out += piece.for_face(face)
        elif isinstance(piece, Remedy) and (not out.strip() or out.rstrip().endswith((".", "?", "!"))):
            words = piece.words(face)
            out += words[:1].upper() + words[1:]
        else:
            out += piece.words(face)
    return out[len(before):]


class UnknownNameError(StocktakeError, KeyError):
    """A name (asset, column, model, session) that does not exist; the message suggests real ones. ``what`` is the
    kind of name, and may name the option it was given to."""

    def __init__(self, what: Text, name: str, known: Iterable[str]):
        self.what, self.name, self.known = what, name, list(dict.fromkeys(known))
        self.suggestions = suggest(name, self.known)
        if self.suggestions:
            hint = f" Did you mean: {', '.join(self.suggestions)}?"
        elif self.known:
            more = ", …" if len(self.known) > 12 else ""
            hint = f" Valid: {', '.join(self.known[:12])}{more}."
        else:
            hint = ""
        super().__init__(("No ", what, f" named '{name}'.{hint}"), asset=name if what == "asset" else None,
                         column=name if what == "column" else None)


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

    def __init__(self, problem: Text, fix: Text = "", *, field: str, valid: str = ""):
        self.field, self.valid = field, valid
        super().__init__(problem, fix)
