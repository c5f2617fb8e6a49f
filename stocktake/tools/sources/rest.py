"""JSON APIs over HTTP(S): an endpoint's records, all pages of them, as a table (and child tables for lists of
objects), read-only (GET only).

The catalog keeps the URL as given, which may hold no secret: a password in it, or a query parameter that looks
like one (``token=``, ``api_key=``, ...), is refused. Secrets go in headers, ``--header NAME=env:VAR`` (or
``NAME=Bearer env:VAR``), the value read from the variable VAR for each session, never stored or shown. Plain
``http://`` carries no such header beyond loopback.

Each session reads every page once (``pages.py``) and flattens the records (``flatten.py``); the schema's types
are what the values are. A read's ``limit`` and ``sample`` bound the records, and the child tables hold the
items of the records kept; an incremental cursor filters here, after the whole endpoint is read.
``--max-pages N`` reads N pages at most and says so in the table's description where there were more; without
it, an endpoint of more than ``max_pages`` pages is an error.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import SourceSettings
from stocktake.tools.sources.flatten import ROW, FlatTable, flatten, to_arrow
from stocktake.tools.sources.model import ForeignKey, ReadPlan, SourceColumn, SourceTable
from stocktake.tools.sources.pages import Endpoint, Pages, Paging, read_pages

_HEADER = re.compile(r"(?P<name>[!#$%&'*+.^_`|~0-9A-Za-z-]+)=(?P<prefix>[A-Za-z][A-Za-z0-9-]* )?"
                     r"env:(?P<var>[A-Za-z_][A-Za-z0-9_]*)")
_SECRET_PARAMS = {"token", "key", "apikey", "api_key", "secret", "client_secret", "password", "passwd", "pwd",
                  "access_token", "auth", "auth_token", "authorization", "signature", "sig", "session", "sessionid"}
_SECRET_ENDINGS = ("_token", "_secret", "_password", "_apikey", "_api_key")


def location(text: str, source: str) -> str:
    """The URL as given; one holding a password or a secret-looking query parameter is refused (the message
    shows neither)."""
    text = text.strip()
    parts = urlsplit(text)
    shown = f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
    if not parts.hostname:
        raise StocktakeError(f"Source '{source}': the URL {shown} has no host.", Remedy("source-api-url"))
    if parts.password is not None:
        raise StocktakeError(f"Source '{source}': the URL {shown} carries a password, which Stocktake never stores.",
                             Remedy("source-url-secret"))
    secret = next((k for k, _ in parse_qsl(parts.query, keep_blank_values=True) if _looks_secret(k)), None)
    if secret is not None:
        raise StocktakeError(f"Source '{source}': the URL {shown} carries {secret}= in its query, which Stocktake "
                             "never stores.", Remedy("source-url-secret"))
    return text


def _looks_secret(param: str) -> bool:
    name = param.lower().replace("-", "_")
    return name in _SECRET_PARAMS or name.endswith(_SECRET_ENDINGS)


def endpoint(url: str, source: str, options: dict) -> Endpoint:
    max_pages = options.get("max_pages")
    return Endpoint(url, source, Paging.parse(options.get("paginate"), source), options.get("json_path") or "",
                    int(max_pages) if max_pages else None)


def headers(specs: list[str], source: str) -> tuple[dict[str, str], list[str]]:
    """Each ``NAME=[PREFIX ]env:VAR`` as NAME: PREFIX + the variable's value, and the values (to keep out of any
    message); a literal value is refused and no message ever quotes one."""
    found, secrets = {}, []
    for spec in specs:
        match = _HEADER.fullmatch(spec)
        if match is None:
            name = spec.partition("=")[0]
            shown = f"--header {name}" if "=" in spec and re.fullmatch(r"[A-Za-z0-9-]{1,64}", name) else "a --header"
            raise StocktakeError(f"Source '{source}': {shown} must take its value from an environment variable "
                                 "(NAME=env:VAR); Stocktake never stores a header's value.", Remedy("source-header"))
        var = match["var"]
        if var not in os.environ:
            raise StocktakeError(f"Source '{source}': the environment variable {var} that holds its "
                                 f"{match['name']} header is not set.", Remedy("source-set-env", var=var))
        found[match["name"]] = (match["prefix"] or "") + os.environ[var]
        secrets.append(os.environ[var])
    return found, secrets


def _check_clear(url: str, sent: dict[str, str], source: str) -> None:
    """Secrets never travel unencrypted beyond this machine."""
    parts = urlsplit(url)
    if sent and parts.scheme == "http" and not _loopback(parts.hostname or ""):
        raise StocktakeError(f"Source '{source}': {parts.hostname} is reached over plain http://, which would send "
                             f"the {', '.join(sent)} header unencrypted.", Remedy("source-https"))


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def table_name(url: str) -> str:
    """The endpoint's table: the URL's last path segment (``…/v1/orders`` is ``orders``), else ``records``."""
    last = urlsplit(url).path.rstrip("/").rpartition("/")[2].removesuffix(".json")
    return re.sub(r"[^0-9A-Za-z_]+", "_", last).strip("_").lower() or "records"


class Session:
    """The endpoint read once, on first use; its tables then come from what was read."""

    def __init__(self, read: Callable[[], Pages], source: str, url: str):
        self._fetch, self.source, self.url, self.name = read, source, url, table_name(url)
        self._tables: dict[str, tuple[SourceTable, pa.Table, FlatTable]] | None = None

    def tables(self) -> dict[str, tuple[SourceTable, pa.Table, FlatTable]]:
        if self._tables is None:
            pages: Pages = self._fetch()
            flat = flatten(self.name, pages.records)
            if not flat[0].columns:
                raise StocktakeError(f"Source '{self.source}': {self.url} returned no records, so there are no "
                                     "columns to register.", Remedy("source-api-empty"))
            self._tables = {}
            for table in flat:
                arrow = to_arrow(table)
                self._tables[table.name] = (_source_table(table, arrow, self.url, pages), arrow, table)
        return self._tables

    def schema(self) -> list[SourceTable]:
        return [t for t, _, _ in self.tables().values()]

    def read(self, table: SourceTable, plan: ReadPlan = ReadPlan()) -> pa.Table:
        """The rows of ``table`` past the cursor (sorted by it), of the parent records the bounds keep."""
        _, arrow, flat = self.tables()[table.name]
        if plan.cursor and plan.after is not None:
            arrow = arrow.filter(pc.greater(arrow[plan.cursor], _after(arrow, plan, self.source)))
        if plan.cursor:
            arrow = arrow.sort_by(plan.cursor)
        if flat.parent and (plan.limit or plan.sample):
            parent, key, back = flat.parent
            kept = self.read(self.tables()[parent][0], ReadPlan(plan.limit, plan.sample))[key]
            arrow = arrow.filter(pc.is_in(arrow[back], value_set=kept.combine_chunks()))
        return _bounded(arrow, plan)


def _after(arrow: pa.Table, plan: ReadPlan, source: str) -> pa.Scalar:
    try:
        return pa.scalar(plan.after).cast(arrow[plan.cursor].type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise StocktakeError(f"Source '{source}': the last value seen in {plan.cursor} ({plan.after}) does not read "
                             f"as {arrow[plan.cursor].type}.", Remedy("source-cursor")) from None


def _bounded(arrow: pa.Table, plan: ReadPlan) -> pa.Table:
    """At most ``limit`` rows, and a sample of ``sample`` rows, the same ones each time for the same rows."""
    if plan.sample is not None and arrow.num_rows > plan.sample:
        picked = np.sort(np.random.default_rng(0).choice(arrow.num_rows, plan.sample, replace=False))
        arrow = arrow.take(pa.array(picked))
    return arrow.slice(0, plan.limit) if plan.limit is not None else arrow


def _source_table(table: FlatTable, arrow: pa.Table, url: str, pages: Pages) -> SourceTable:
    columns = tuple(SourceColumn(c, str(arrow[c].type), comment=_column_comment(table, c)) for c in table.columns)
    keys = ()
    if table.parent:
        parent, key, back = table.parent
        keys = (ForeignKey((back,), parent, (key,)),)
        items = table.name.removeprefix(f"{parent}_")
        comment = f"The {items} of each {parent} record, one row each; {back} names the record they belong to"
    else:
        comment = f"Records from {url}" + (f" (the first {pages.pages:,} pages only, as --max-pages says; the API "
                                           "has or may have more)" if pages.more else "")
    return SourceTable(table.name, "table", columns, (table.key,) if table.key else (), keys, comment,
                       float(arrow.num_rows))


def _column_comment(table: FlatTable, column: str) -> str:
    if column == ROW:
        return "The record's position in the response, from 1 (the records have no id of their own)"
    if table.parent and column == table.parent[2]:
        return f"The {table.parent[1]} of the {table.parent[0]} row this belongs to"
    path = table.paths.get(column, column)
    return f"{path} in each record" if path != column else ""


@contextmanager
def session(location: str, source: str, options: dict, settings: SourceSettings) -> Iterator[Session]:
    """A session that reads the endpoint with GET only, the headers' values read from their variables now."""
    point = endpoint(location, source, options)
    sent, secrets = headers(list(options.get("headers") or ()), source)
    _check_clear(location, sent, source)
    timeout = httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s)
    with httpx.Client(headers={"Accept": "application/json", "User-Agent": "stocktake", **sent}, timeout=timeout,
                      follow_redirects=False) as client:
        yield Session(lambda: read_pages(client, point, settings, secrets), source, location)
