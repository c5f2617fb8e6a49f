"""Source URLs: ``postgresql://user:env:VAR@host:5432/db``, parsed, kept without a secret, and resolved to connect.

The catalog only ever holds a URL with no password in it: where the password goes there is either nothing (the
user's ``~/.pgpass`` supplies it) or ``env:VAR``, the name of an environment variable read at connect time. A
literal password is refused before anything is stored, and no message ever quotes it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from stocktake.errors import Remedy, StocktakeError

SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
_ENV = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class SourceURL:
    engine: str  # postgresql
    host: str
    port: int
    database: str
    user: str = ""
    password_env: str = ""  # the variable that holds the password; empty: ~/.pgpass or none

    def __str__(self) -> str:
        """The URL as stored and shown: the password's place holds ``env:VAR`` or nothing, never a secret."""
        secret = f":env:{self.password_env}" if self.password_env else ""
        who = f"{quote(self.user, safe='')}{secret}@" if self.user or secret else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.engine}://{who}{host}:{self.port}/{quote(self.database, safe='')}"

    def password(self, source: str) -> str | None:
        """The password from its environment variable; None where the URL names none."""
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise StocktakeError(f"Source '{source}': the environment variable {self.password_env} that holds its "
                                 "password is not set.", Remedy("source-set-env", var=self.password_env))
        return value


def parse_url(text: str, source: str) -> SourceURL:
    """``text`` as a source URL; a literal password, an unknown scheme or a URL without a database is refused
    (the message shows the URL with any password left out)."""
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise StocktakeError(f"Source '{source}': {_scheme_only(text)} is not a database URL Stocktake reads.",
                             Remedy("source-url"))
    engine = SCHEMES[scheme.lower()]
    netloc, _, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    user, colon, secret = userinfo.partition(":")
    shown = f"{engine}://{unquote(user)}@{hostport}/{path}" if at else f"{engine}://{hostport}/{path}"
    if colon and not _ENV.fullmatch(secret):
        raise StocktakeError(f"Source '{source}': the URL {shown} carries a password, which Stocktake never stores.",
                             Remedy("source-password"))
    host, _, port = hostport.rpartition(":") if re.search(r":\d*$", hostport) else (hostport, "", "")
    database = unquote(path.partition("?")[0])
    if not host or not database:
        raise StocktakeError(f"Source '{source}': the URL {shown} needs a host and a database.", Remedy("source-url"))
    return SourceURL(engine, host.strip("[]"), int(port) if port else DEFAULT_PORTS[engine], database,
                     unquote(user), secret[4:] if colon else "")


def _scheme_only(text: str) -> str:
    """A URL's scheme and host only: what an error may show of a URL that could not be parsed."""
    scheme, sep, rest = text.partition("://")
    return f"'{scheme}://{rest.rpartition('@')[2].partition('/')[0]}/…'" if sep else "the text given"


def scrub(message: str, secret: str | None) -> str:
    """A driver's message with the password taken out, in case the driver quoted it."""
    if not secret:
        return message
    return message.replace(secret, "***").replace(quote(secret, safe=""), "***")
