"""A JSON API on loopback for the REST source tests: the sample shop's orders, nested (the customer and their
address as objects, the order's items as a list of objects, tags as a list of words), served page by page with
each kind of pagination, and made to fail on demand (429 first, a broken page, a slow answer, a sign-in wall)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from tests.pg_server import shop_tables

PER_PAGE = 50
# what each path serves: how a page is asked for, and where the records are in the body
ROUTES = ("page", "cursor", "cursor-url", "offset", "link", "flat")


def shop_orders(n: int = 600) -> list[dict]:
    """The first ``n`` orders of the sample shop as an API returns them."""
    tables = {k: t.to_pylist() for k, t in shop_tables().items()}
    users = {u["user_id"]: u for u in tables["users"]}
    items: dict[int, list[dict]] = {}
    for item in tables["order_items"]:
        items.setdefault(item.pop("order_id"), []).append(item)
    orders = []
    for i, o in enumerate(tables["orders"][:n]):
        user = users[o["user_id"]]
        orders.append({
            "order_id": o["order_id"], "order_date": o["order_date"].isoformat(), "status": o["status"],
            "payment_method": o["payment_method"], "total_amount": o["total_amount"],
            "coupon": [None, 5, "SPRING"][i % 3],  # an int in some records, text in others
            "customer": {"user_id": user["user_id"], "name": user["name"],
                         "address": {"city": user["city"], "country": user["country"]}},
            "tags": ["gift"] if o["total_amount"] > 100 else [],
            "items": items.get(o["order_id"], []),
        })
    return orders


class ShopAPI:
    """``start()`` serves on a free loopback port; what it was asked is in ``hits``; set the fields to misbehave."""

    def __init__(self, orders: list[dict]):
        self._orders = orders
        self.hits: list[tuple[str, dict[str, str]]] = []  # (path and query, headers) of each request
        self.reset()

    def reset(self) -> None:
        self.orders = list(self._orders)  # tests change the records served
        self.hits.clear()
        self.too_many = 0  # answer 429 (Retry-After: 0) to this many requests first
        self.broken: tuple[str, int] | None = None  # ("html" | "500", page number)
        self.token: str | None = None  # require Authorization: Bearer TOKEN
        self.delay_s = 0.0
        self.next_host: str | None = None  # cursor-url: the next links point at this host instead

    def start(self) -> ShopAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                api.hits.append((self.path, dict(self.headers)))
                status, headers, body = api.answer(self.path, self.headers)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: what the size bound is for

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, route: str, query: str = "") -> str:
        return f"{self.base}/{route}/orders" + (f"?{query}" if query else "")

    def answer(self, path: str, headers) -> tuple[int, dict[str, str], bytes]:
        time.sleep(self.delay_s)
        if self.too_many:
            self.too_many -= 1
            return 429, {"Retry-After": "0"}, b'{"error": "slow down"}'
        if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"Content-Type": "application/json"}, b'{"error": "sign in"}'
        parts = urlsplit(path)
        route, query = parts.path.strip("/").split("/")[0], dict(parse_qsl(parts.query))
        if route not in ROUTES:
            return 404, {"Content-Type": "application/json"}, b'{"error": "no such endpoint"}'
        start = self._start(route, query)
        number = start // PER_PAGE + 1
        if self.broken and self.broken[1] == number:
            if self.broken[0] == "html":
                return 200, {"Content-Type": "text/html"}, b"<html><body>Maintenance</body></html>"
            return 500, {"Content-Type": "application/json"}, b'{"error": "boom"}'
        page = self.orders[start:start + PER_PAGE]
        more = start + PER_PAGE < len(self.orders)
        body, extra = self._body(route, page, start + PER_PAGE if more else None, number)
        return 200, {"Content-Type": "application/json", **extra}, json.dumps(body).encode()

    def _start(self, route: str, query: dict) -> int:
        if route in ("page", "link"):
            return (int(query.get("page", 1)) - 1) * PER_PAGE
        if route == "offset":
            return int(query.get("offset", 0))
        if route in ("cursor", "cursor-url"):
            return int(query.get("cursor", query.get("after", "c0"))[1:])
        return 0

    def _body(self, route: str, page: list, after: int | None, number: int) -> tuple[object, dict[str, str]]:
        if route == "page":
            return {"data": {"items": page}, "meta": {"page": number, "per_page": PER_PAGE}}, {}
        if route == "cursor":
            return {"orders": page, "next": f"c{after}" if after is not None else None}, {}
        if route == "cursor-url":
            host = self.next_host or self.base
            return {"orders": page, "links": {"next": f"{host}/cursor-url/orders?after=c{after}"
                                              if after is not None else None}}, {}
        if route == "link":
            return page, {"Link": f'<{self.base}/link/orders?page={number + 1}>; rel="next"'} if after else {}
        if route == "flat":
            return self.orders, {}
        return page, {}
