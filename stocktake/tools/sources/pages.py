"""Reading a JSON API endpoint page by page, bounded and retried, each failure one line naming the page.

Pagination (``--paginate``): ``cursor:FIELD[:PARAM]`` reads the next cursor from the body's FIELD (dotted:
``meta.next``); a URL (or a path) there is followed, any other value is sent as the query parameter PARAM
(``cursor`` by default). ``page:PARAM`` sends PARAM = 1, 2, 3, ... and ``offset:PARAM`` PARAM = 0, then the
records read so far (a start value already in the URL is kept). ``link`` follows the Link header's
``rel="next"``. Every kind stops at the first page with no records. Next links are followed only on the
endpoint's own host, so that its headers are sent nowhere else; redirects are not followed.

429 and 5xx answers are retried ``retries`` times, waiting ``backoff_s`` doubled each time (or the answer's
Retry-After seconds, at most ``timeout_s``). Each request is bounded by ``timeout_s`` and each response by
``max_response_bytes``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import SourceSettings, byte_size
from stocktake.tools.sources.url import scrub

KINDS = ("cursor", "page", "offset", "link")


@dataclass(frozen=True)
class Paging:
    kind: str = ""  # one of KINDS; empty: one request
    field: str = ""  # cursor: the body's field (dotted) that holds the next cursor
    param: str = ""  # cursor, page, offset: the query parameter sent

    @classmethod
    def parse(cls, text: str | None, source: str) -> Paging:
        if not text:
            return cls()
        kind, _, rest = text.partition(":")
        parts = rest.split(":") if rest else []
        defaults = {"cursor": ["next", "cursor"], "page": ["page"], "offset": ["offset"], "link": []}
        if kind not in defaults or len(parts) > len(defaults[kind]) or not all(parts):
            raise StocktakeError(f"Source '{source}': --paginate {text} is not a kind of pagination Stocktake "
                                 "reads.", Remedy("source-paginate"))
        given = parts + defaults[kind][len(parts):]
        return cls(kind, *given) if kind == "cursor" else cls(kind, "", *given)

    def first(self, url: str, source: str) -> str:
        """The first page's URL: a page or offset parameter the URL already holds is the start."""
        start = {"page": "1", "offset": "0"}.get(self.kind)
        given = dict(_query(url)).get(self.param)
        if start is None or given is None:
            return url if start is None else with_param(url, self.param, start)
        if not given.isdigit():
            raise StocktakeError(f"Source '{source}': --paginate {self.kind}:{self.param} counts {self.param} from "
                                 f"the URL's {self.param}=, which is not a number.", Remedy("source-paginate"))
        return url

    def next(self, url: str, body: object, response: httpx.Response, count: int) -> str | None:
        """The URL of the page after ``url``; None where this was the last one."""
        if count == 0 or not self.kind:
            return None
        if self.kind == "link":
            found = response.links.get("next", {}).get("url")
            return urljoin(url, found) if found else None
        if self.kind == "cursor":
            value = dig(body, self.field)
            if value is None or value == "" or value is False:
                return None
            text = str(value)
            return urljoin(url, text) if text.startswith(("http://", "https://", "/")) else \
                with_param(url, self.param, text)
        now = dict(_query(url))[self.param]
        return with_param(url, self.param, str(int(now) + (1 if self.kind == "page" else count)))


@dataclass(frozen=True)
class Endpoint:
    url: str  # as the catalog keeps it: no secret
    source: str
    paging: Paging
    json_path: str = ""  # where the records are in each body, dotted; empty: found on the first page
    max_pages: int | None = None  # the user's own cap (--max-pages)


@dataclass(frozen=True)
class Pages:
    records: list
    pages: int
    more: bool  # the user's cap stopped the reading where the API had (or may have had) more


def read_pages(client: httpx.Client, endpoint: Endpoint, settings: SourceSettings, secrets: list[str]) -> Pages:
    """Every record of the endpoint, page after page; a failure on any page is an error and nothing is kept."""
    fetch = _Fetcher(client, endpoint, settings, secrets)
    url, path, records = endpoint.paging.first(endpoint.url, endpoint.source), endpoint.json_path or None, []
    cap = endpoint.max_pages or settings.max_pages
    for number in range(1, cap + 1):
        body, response = fetch.page(url, number)
        path = find_records(body, endpoint, number) if path is None else path
        page = records_at(body, path, endpoint, number)
        records += page
        url = _same_origin(endpoint, endpoint.paging.next(url, body, response, len(page)), number)
        if url is None:
            return Pages(records, number, more=False)
    if endpoint.max_pages is None:
        raise StocktakeError(f"Source '{endpoint.source}': {endpoint.url} has more than {cap:,} pages "
                             f"({settings.hint('max_pages')}).", Remedy("source-api-pages"))
    return Pages(records, cap, more=True)


class _Fetcher:
    """One GET after another on the session's client, retried on 429 and 5xx."""

    def __init__(self, client: httpx.Client, endpoint: Endpoint, settings: SourceSettings, secrets: list[str]):
        self.client, self.endpoint, self.settings, self.secrets = client, endpoint, settings, secrets
        self.total = 0  # bytes of all pages so far: many small pages are bounded as one big one is

    def where(self, number: int) -> str:
        return f"Source '{self.endpoint.source}': page {number} of {self.endpoint.url}"

    def page(self, url: str, number: int) -> tuple[object, httpx.Response]:
        for attempt in range(self.settings.retries + 1):
            try:
                with self.client.stream("GET", url) as response:
                    status = response.status_code
                    if (status == 429 or status >= 500) and attempt < self.settings.retries:
                        wait = _delay(response, attempt, self.settings)
                    else:
                        self.check(response, number, attempt)
                        return self.json(self.body(response, number), response, number), response
            except httpx.TimeoutException:
                raise StocktakeError(f"{self.where(number)} took longer than {self.settings.timeout_s:g} s.",
                                     Remedy("source-api-timeout")) from None
            except httpx.HTTPError as exc:
                raise StocktakeError(f"{self.where(number)} cannot be read "
                                     f"({scrub_all(str(exc) or type(exc).__name__, self.secrets)}).",
                                     Remedy("source-api-reach")) from None
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def check(self, response: httpx.Response, number: int, attempt: int) -> None:
        status = response.status_code
        answer = f"HTTP {status} {response.reason_phrase}".strip()
        if status < 300:
            return
        if status < 400:
            goes = urlsplit(urljoin(str(response.url), response.headers.get("location", "")))
            raise StocktakeError(f"{self.where(number)} redirects ({answer}) to {goes.scheme}://{goes.netloc}"
                                 f"{goes.path}.", Remedy("source-api-redirect"))
        if status in (401, 403):
            raise StocktakeError(f"{self.where(number)}: the API refused the request ({answer}).",
                                 Remedy("source-api-auth"))
        if status == 429 or status >= 500:
            raise StocktakeError(f"{self.where(number)} failed ({answer}) after {attempt} "
                                 f"retr{'y' if attempt == 1 else 'ies'}.", Remedy("source-api-retry"))
        raise StocktakeError(f"{self.where(number)}: the API answered {answer}.", Remedy("source-api-url"))

    def body(self, response: httpx.Response, number: int) -> bytes:
        limit, declared = self.settings.max_response_bytes, response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self.too_big(number)
        chunks, size = [], 0
        for chunk in response.iter_bytes():  # decoded: a compressed answer is bounded by what it expands to
            size += len(chunk)
            if size > limit:
                raise self.too_big(number)
            chunks.append(chunk)
        self.total += size
        if self.total > self.settings.max_bytes:
            raise StocktakeError(f"{self.where(number)}: the pages read so far pass "
                                 f"{byte_size(self.settings.max_bytes)} ({self.settings.hint('max_bytes')}).",
                                 Remedy("source-api-pages"))
        return b"".join(chunks)

    def too_big(self, number: int) -> StocktakeError:
        return StocktakeError(f"{self.where(number)} is larger than {byte_size(self.settings.max_response_bytes)} "
                              f"({self.settings.hint('max_response_bytes')}).", Remedy("source-api-smaller"))

    def json(self, content: bytes, response: httpx.Response, number: int) -> object:
        try:
            return json.loads(content)
        except (ValueError, RecursionError):  # a UnicodeDecodeError is a ValueError
            kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
            what = "an HTML page, not JSON" if "html" in kind or content.lstrip()[:1] == b"<" else \
                f"not JSON ({kind or 'no content type'})"
            raise StocktakeError(f"{self.where(number)} is {what}.", Remedy("source-api-json")) from None


def _delay(response: httpx.Response, attempt: int, settings: SourceSettings) -> float:
    """Retry-After seconds where the answer gives them (at most one request's timeout), else the backoff."""
    after = response.headers.get("retry-after", "").strip()
    if after.isdigit():
        return min(float(after), settings.timeout_s)
    return settings.backoff_s * 2 ** attempt


def _same_origin(endpoint: Endpoint, url: str | None, number: int) -> str | None:
    if url is None:
        return None
    here, there = urlsplit(endpoint.url), urlsplit(url)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc):
        raise StocktakeError(f"Source '{endpoint.source}': page {number} of {endpoint.url} links its next page on "
                             f"{there.scheme}://{there.netloc}, another host.", Remedy("source-api-origin"))
    return url


def dig(body: object, path: str) -> object:
    """The value at a dotted path of the body; None where it is not there."""
    for part in path.split(".") if path else ():
        body = body.get(part) if isinstance(body, dict) else None
    return body


def find_records(body: object, endpoint: Endpoint, number: int) -> str:
    """Where the records are when --json-path is not given: the body itself if it is a list, else its only list
    (looking inside objects)."""
    if isinstance(body, list):
        return ""
    lists = _lists(body, "") if isinstance(body, dict) else []
    if len(lists) == 1:
        return lists[0]
    if lists:
        what = f"several lists ({', '.join(lists[:12])})"
    else:
        what = f"no list of records ({_keys(body)})"
    raise StocktakeError(f"Source '{endpoint.source}': page {number} of {endpoint.url} has {what}.",
                         Remedy("source-json-path"))


def _keys(body: object) -> str:
    if isinstance(body, dict):
        return "its keys: " + ", ".join(map(str, list(body)[:20])) if body else "an empty object"
    return f"a {type(body).__name__}"


def _lists(body: dict, prefix: str) -> list[str]:
    found = []
    for k, v in body.items():
        path = f"{prefix}{k}"
        if isinstance(v, list):
            found.append(path)
        elif isinstance(v, dict):
            found += _lists(v, path + ".")
    return found


def records_at(body: object, path: str, endpoint: Endpoint, number: int) -> list:
    """The records at ``path``; past the first page, nothing there is an empty page (the last one)."""
    found = dig(body, path)
    if isinstance(found, list):
        return found
    if found is None and number > 1:
        return []
    what = "has nothing at" if found is None else f"has a {type(found).__name__}, not a list, at"
    raise StocktakeError(f"Source '{endpoint.source}': page {number} of {endpoint.url} {what} '{path}' "
                         f"({_keys(body)}).", Remedy("source-json-path"))


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def with_param(url: str, name: str, value: str) -> str:
    """``url`` with the query parameter ``name`` set to ``value`` (the others kept, in order)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in _query(url) if k != name] + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def scrub_all(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        message = scrub(message, secret)
    return message
