"""The one-line errors that every database connector gives, worded once: which source, what went wrong, what to do.

Each takes the driver's message already scrubbed of the password (``url.scrub``).
"""

from __future__ import annotations

from stocktake.errors import Remedy, StocktakeError
from stocktake.tools.sources.url import SourceURL


def _at(url: SourceURL, source: str) -> str:
    return f"Source '{source}' ({url.host}:{url.port})"


def refused_password(url: SourceURL, source: str, otherwise: Remedy) -> StocktakeError:
    """The server refused the user's password; ``otherwise`` says what to do where the URL names no variable."""
    fix = Remedy("source-check-password", var=url.password_env) if url.password_env else otherwise
    return StocktakeError(f"{_at(url, source)}: the server refused the password for user '{url.user}'.", fix)


def no_database(url: SourceURL, source: str, detail: str = "") -> StocktakeError:
    return StocktakeError(f"{_at(url, source)}: there is no database '{url.database}'{detail}.",
                          Remedy("source-database"))


def no_user(url: SourceURL, source: str) -> StocktakeError:
    return StocktakeError(f"{_at(url, source)}: there is no user '{url.user}'.", Remedy("source-user"))


def unreachable(url: SourceURL, source: str, detail: str) -> StocktakeError:
    return StocktakeError(f"{_at(url, source)}: cannot connect ({detail}).", Remedy("source-reach"))


def timed_out(source: str, timeout_s: float) -> StocktakeError:
    return StocktakeError(f"Source '{source}': a read took longer than {timeout_s:g} s and was stopped.",
                          Remedy("source-timeout"))


def read_failed(source: str, detail: str) -> StocktakeError:
    return StocktakeError(f"Source '{source}': the read failed ({detail}).", Remedy("source-retry"))
