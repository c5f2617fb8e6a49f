"""Generated log files for the log-source tests: the sample shop's browsing events written as web-server access
log lines (combined format), so that each line's expected row is known."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from stocktake.tools.sample_data import make_events, make_products, make_users

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# What each event type is on the wire, and the action and item the connector should read back from it.
REQUESTS = {"view": ("GET", "/product/{pid}"), "click": ("GET", "/product/{pid}?ref=list"),
            "cart": ("POST", "/cart?product_id={pid}"), "purchase": ("POST", "/checkout")}
ACTIONS = {"view": "view", "click": "view", "cart": "cart", "purchase": "purchase"}


def events(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` browsing events of the sample shop, in time order."""
    rng = np.random.default_rng(seed)
    users = make_users(rng, 40)
    products, _ = make_products(rng, 25)
    return make_events(rng, n, users, products)


def clf(t: pd.Timestamp) -> str:
    """A time as the combined format writes it (English month names whatever the locale)."""
    return f"{t.day:02d}/{MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000"


def combined_line(e) -> str:
    method, target = REQUESTS[e.event_type]
    user = f"u{e.user_id}" if e.event_id % 3 == 0 else "-"
    ip = f"10.{(e.user_id >> 16) & 255}.{(e.user_id >> 8) & 255}.{e.user_id & 255}"
    return (f'{ip} - {user} [{clf(e.event_time)}] "{method} {target.format(pid=e.product_id)} HTTP/1.1" 200 '
            f'{512 + e.event_id % 1000} "https://shop.example/" "Mozilla/5.0 ({e.device})"')


def expected(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows the connector should make of ``frame``'s lines: action, item and session of each."""
    item = frame["product_id"].astype(str).where(frame["event_type"] != "purchase")
    user = ("u" + frame["user_id"].astype(str)).where(frame["event_id"] % 3 == 0)
    ip = [f"10.{(u >> 16) & 255}.{(u >> 8) & 255}.{u & 255}" for u in frame["user_id"]]
    return pd.DataFrame({"timestamp": frame["event_time"].dt.tz_localize("UTC"),
                         "session": user.fillna(pd.Series(ip, index=frame.index)),
                         "action": frame["event_type"].map(ACTIONS), "item": item})


def write_lines(path: Path, lines: list[str], *, gz: bool = False) -> Path:
    text = "".join(line + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(text, mtime=0) if gz else text)
    return path
