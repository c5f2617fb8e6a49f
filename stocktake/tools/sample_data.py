"""A realistic e-commerce sample dataset with known, injected data-quality problems.

``write_sample_data(out_dir, seed, scale)`` writes users, products, orders, order_items, events and reviews
as CSV files, one Markdown data dictionary per table under ``docs/``, and ``answers/problems.json`` listing
every injected problem with its exact affected row count (in a sub-folder, so that ingesting the folder does
not take the answer key for a table). The same seed gives byte-identical files.

Clean columns are genuinely clean (no nulls, no duplicates, no negative amounts, no near-duplicate category
spellings, no emails or phone numbers, dates in 2019-2024), so a profiler can be held to zero false positives.

How each ``rows`` count in problems.json is measured on the written CSV (a profiler must reproduce these):

- ``duplicate_rows``: rows that are exact copies (every column) of an earlier row of the table.
- ``duplicate_key``: rows whose key column value repeats an earlier row's key, excluding rows that are exact
  copies of an earlier row (those are duplicate_rows). ``column`` names the key.
- ``missing_values``: null (empty) cells in the column.
- ``unparseable_values``: non-null cells of a date column that do not parse as an ISO date (``YYYY-MM-DD``).
- ``negative_values``: cells below zero in a price or quantity column.
- ``inconsistent_categories``: rows whose value is a non-canonical variant (differs from a canonical category
  only in case, spacing, punctuation spacing, accents or one typo). The canonical spelling of each category is
  also its most frequent spelling.
- ``suspected_mislabel``: rows whose title clearly belongs to another category than the (canonical) label.
- ``pii``: rows whose free text contains at least one email address or phone number.
- ``orphan_foreign_keys``: rows whose foreign-key value is not among the parent table's key values.

Every problem entry also lists ``keys``: the sorted key values of the affected rows (for suspected_mislabel,
the mislabelled product ids), so other engines can check themselves against the ground truth.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from stocktake.errors import Remedy, StocktakeError
from stocktake.tools import sample_vocab as V
from stocktake.tools.sample_docs import write_docs

TABLES = ("users", "products", "orders", "order_items", "events", "reviews")
KEYS = {"users": "user_id", "products": "product_id", "orders": "order_id", "order_items": "order_item_id",
        "events": "event_id", "reviews": "review_id"}
PROBLEM_KINDS = ("duplicate_rows", "duplicate_key", "missing_values", "unparseable_values", "negative_values",
                 "inconsistent_categories", "suspected_mislabel", "pii", "orphan_foreign_keys")
ID_BASE = {"users": 100_000, "products": 500_000, "orders": 1_000_000, "order_items": 5_000_000,
           "events": 10_000_000, "reviews": 20_000_000}
START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2024-06-30 23:59:59")


@dataclass(frozen=True)
class Scale:
    users: int
    products: int
    orders: int
    events: int
    reviews: int
    defect: int  # base number of injected defects per problem; each problem uses a small multiple of it


SCALES = {
    "small": Scale(users=2_000, products=1_000, orders=5_000, events=20_000, reviews=3_000, defect=5),
    "medium": Scale(users=50_000, products=5_000, orders=100_000, events=1_000_000, reviews=50_000, defect=50),
}


@dataclass(frozen=True)
class Problem:
    table: str
    column: str
    kind: str
    rows: int
    keys: tuple = ()

    def to_dict(self) -> dict:
        return {"table": self.table, "column": self.column, "kind": self.kind, "rows": self.rows,
                "keys": list(self.keys)}


@dataclass(frozen=True)
class SampleDataResult:
    out_dir: Path
    seed: int
    scale: str
    paths: dict[str, Path]
    docs: dict[str, Path]
    problems_path: Path
    rows: dict[str, int]
    problems: tuple[Problem, ...] = field(default=())

    def to_dict(self) -> dict:
        return {"out_dir": str(self.out_dir), "seed": self.seed, "scale": self.scale,
                "files": {t: str(p) for t, p in self.paths.items()},
                "docs": {t: str(p) for t, p in self.docs.items()}, "problems_file": str(self.problems_path),
                "rows": self.rows, "problems": [p.to_dict() for p in self.problems]}


def write_sample_data(out_dir: str | Path, seed: int = 0, scale: str = "small",
                      on_table: Callable[[str], None] | None = None, *, force: bool = False) -> SampleDataResult:
    """Generate the dataset into ``out_dir``; ``on_table(name)`` is called after each table is written.

    Files already in ``out_dir`` that the sample would overwrite are refused unless ``force`` is given.
    """
    out = check_target(out_dir, scale, force=force)
    out.mkdir(parents=True, exist_ok=True)
    tables, mislabelled = generate_tables(np.random.default_rng(seed), SCALES[scale])
    paths = {}
    for name in TABLES:
        paths[name] = out / f"{name}.csv"
        tables[name].to_csv(paths[name], index=False, date_format="%Y-%m-%d %H:%M:%S")
        if on_table:
            on_table(name)
    docs = write_docs(out / "docs", {t: list(df.columns) for t, df in tables.items()})
    problems = tuple(measure_problems(tables, mislabelled))
    problems_path = out / PROBLEMS_FILE
    problems_path.parent.mkdir(parents=True, exist_ok=True)
    problems_path.write_text(json.dumps({"problems": [p.to_dict() for p in problems]}, indent=2) + "\n")
    return SampleDataResult(out_dir=out, seed=seed, scale=scale, paths=paths, docs=docs,
                            problems_path=problems_path, rows={t: len(df) for t, df in tables.items()},
                            problems=problems)


PROBLEMS_FILE = Path("answers") / "problems.json"


def check_target(out_dir: str | Path, scale: str = "small", *, force: bool = False) -> Path:
    """Refuse a bad scale, a file in place of the folder, or files the sample would overwrite (unless ``force``)."""
    if scale not in SCALES:
        raise StocktakeError(f"Unknown scale '{scale}'. Use one of: {', '.join(SCALES)}.")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise StocktakeError(f"'{out}' exists and is not a folder; choose a folder for the sample data.")
    taken = [p for p in planned_files(out) if p.exists()]
    if taken and not force:
        listed = ", ".join(str(p.relative_to(out)) for p in taken[:3]) + (", …" if len(taken) > 3 else "")
        raise StocktakeError(
            f"{out} already holds {listed}: the sample data would overwrite {'it' if len(taken) == 1 else 'them'}.",
            ("Choose a new or empty folder, or ", Remedy("overwrite")), file=str(out))
    return out


def planned_files(out: Path) -> list[Path]:
    """Every file ``write_sample_data`` writes into ``out``."""
    return ([out / f"{name}.csv" for name in TABLES] + [out / "docs" / f"{name}.md" for name in TABLES]
            + [out / PROBLEMS_FILE])


def generate_tables(rng: np.random.Generator, sc: Scale) -> tuple[dict[str, pd.DataFrame], list[int]]:
    users = make_users(rng, sc.users)
    products, titles_category = make_products(rng, sc.products)
    orders, items = make_orders(rng, sc.orders, users, products)
    events = make_events(rng, sc.events, users, products)
    reviews = make_reviews(rng, sc.reviews, users, products, titles_category)
    tables = {"users": users, "products": products, "orders": orders, "order_items": items,
              "events": events, "reviews": reviews}
    mislabelled = inject_problems(rng, sc.defect, tables)
    return tables, mislabelled


# ---- clean tables ------------------------------------------------------------------------------------
def make_users(rng: np.random.Generator, n: int) -> pd.DataFrame:
    first = rng.choice(V.FIRST_NAMES, n)
    last = rng.choice(V.LAST_NAMES, n)
    ids = ID_BASE["users"] + np.arange(n)
    countries = rng.choice(list(V.COUNTRIES), n)
    cities = [V.COUNTRIES[c][k] for c, k in zip(countries, rng.integers(0, 3, n))]
    ascii_last = pd.Series(last).str.replace("ü", "ue")
    emails = (pd.Series(first).str.lower() + "." + ascii_last.str.lower() + pd.Series(ids).astype(str)
              + "@" + rng.choice(["mail.example.com", "example.org", "shop-example.net"], n))
    days = rng.integers(0, (pd.Timestamp("2024-06-30") - pd.Timestamp("2019-01-01")).days, n)
    signup = (pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    return pd.DataFrame({
        "user_id": ids, "name": pd.Series(first) + " " + pd.Series(last), "email": emails,
        "signup_date": pd.Series(signup, dtype=object), "country": pd.Series(countries, dtype=object),
        "city": cities, "loyalty_tier": rng.choice(V.TIERS, n, p=[0.55, 0.25, 0.15, 0.05]),
    })


def make_title(rng: np.random.Generator, category: str) -> tuple[str, str, str, str]:
    """A product title of ``category``, with its brand, noun and description."""
    voc = V.CATEGORIES[category]
    brand, line, noun = (str(rng.choice(voc[k])) for k in ("brands", "lines", "nouns"))
    f1, f2 = (fill(rng, str(f)) for f in rng.choice(voc["features"], 2, replace=False))
    title = f"{brand} {line} {noun} {f1}" if rng.random() < 0.7 else f"{brand} {noun}, {f1}, {f2}"
    template = str(rng.choice(V.DESCRIPTION_TEMPLATES))
    description = template.format(brand=brand, line=line, noun=noun, feature=f1, feature2=f2,
                                  material=rng.choice(voc["materials"]), category=category.lower())
    return title, brand, noun, description


def fill(rng: np.random.Generator, text: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(rng.choice(V.FILLERS[m.group(1)])), text)


PRICE_RANGE = {"Shoes": (35, 220), "Electronics": (25, 1800), "Books": (6, 45), "Clothing": (12, 180),
               "Home & Kitchen": (10, 650), "Beauty": (4, 90), "Sports & Outdoors": (8, 400),
               "Toys & Games": (7, 150), "Grocery": (2, 35)}


def make_products(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    categories = rng.choice(list(V.CATEGORIES), n)
    rows, nouns = [], []
    for cat in categories:
        title, brand, noun, description = make_title(rng, str(cat))
        low, high = PRICE_RANGE[str(cat)]
        price = round(float(np.exp(rng.uniform(np.log(low), np.log(high)))), 2)
        rows.append((title, description, str(cat), brand, price))
        nouns.append((str(cat), noun))
    df = pd.DataFrame(rows, columns=["title", "description", "category", "brand", "price"])
    df.insert(0, "product_id", ID_BASE["products"] + np.arange(n))
    return df, nouns


def make_orders(rng: np.random.Generator, n: int, users: pd.DataFrame, products: pd.DataFrame):
    order_ids = ID_BASE["orders"] + np.arange(n)
    n_items = rng.choice([1, 2, 3, 4], n, p=[0.5, 0.3, 0.15, 0.05])
    item_order = np.repeat(order_ids, n_items)
    pick = rng.integers(0, len(products), len(item_order))
    quantity = rng.choice([1, 2, 3, 4, 5], len(item_order), p=[0.55, 0.25, 0.1, 0.06, 0.04])
    items = pd.DataFrame({
        "order_item_id": ID_BASE["order_items"] + np.arange(len(item_order)), "order_id": item_order,
        "product_id": products["product_id"].to_numpy()[pick], "quantity": quantity,
        "unit_price": products["price"].to_numpy()[pick],
    })
    totals = (items["quantity"] * items["unit_price"]).groupby(items["order_id"]).sum().round(2)
    seconds = rng.integers(0, int((END - START).total_seconds()), n)
    orders = pd.DataFrame({
        "order_id": order_ids, "user_id": rng.choice(users["user_id"].to_numpy(), n),
        "order_date": np.sort(START.to_datetime64() + seconds.astype("timedelta64[s]")),
        "status": rng.choice(list(V.ORDER_STATUSES), n, p=[0.05, 0.08, 0.12, 0.65, 0.06, 0.04]),
        "payment_method": pd.Series(rng.choice(V.PAYMENT_METHODS, n, p=[0.45, 0.25, 0.1, 0.05, 0.15]),
                                    dtype=object),
        "total_amount": totals.reindex(order_ids).to_numpy(),
    })
    return orders, items


def make_events(rng: np.random.Generator, n: int, users: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Sessions of browsing: each session stays in one category, its events seconds to minutes apart."""
    lengths = rng.geometric(1 / 8, n)  # more than enough sessions; cut to exactly n events below
    lengths = lengths[: int(np.searchsorted(np.cumsum(lengths), n)) + 1]
    n_sessions = len(lengths)
    session_of = np.repeat(np.arange(n_sessions), lengths)[:n]
    start = rng.integers(0, int((END - START).total_seconds()) - 86_400, n_sessions)
    gaps = rng.integers(2, 300, n)
    first = np.r_[True, session_of[1:] != session_of[:-1]]
    gaps[first] = 0
    offsets = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], np.bincount(session_of))
    by_category = products.groupby("category")["product_id"].apply(np.asarray)
    session_cat = rng.integers(0, len(by_category), n_sessions)
    cat_of = session_cat[session_of]
    sizes = np.array([len(by_category.iloc[c]) for c in range(len(by_category))])
    pick = (rng.random(n) * sizes[cat_of]).astype(int)
    product = np.empty(n, dtype=np.int64)
    for c in range(len(by_category)):
        mask = cat_of == c
        product[mask] = by_category.iloc[c][pick[mask]]
    events = pd.DataFrame({
        "session_id": pd.Series(session_of).map("s{:08d}".format),
        "user_id": rng.choice(users["user_id"].to_numpy(), n_sessions)[session_of],
        "product_id": product,
        "event_type": rng.choice(list(V.EVENT_TYPES), n, p=[0.6, 0.25, 0.1, 0.05]),
        "event_time": START.to_datetime64() + (start[session_of] + offsets).astype("timedelta64[s]"),
        "device": rng.choice(V.DEVICES, n_sessions, p=[0.6, 0.32, 0.08])[session_of],
    })
    events = events.sort_values("event_time", kind="stable", ignore_index=True)
    events.insert(0, "event_id", ID_BASE["events"] + np.arange(n))
    return events


def make_reviews(rng, n: int, users: pd.DataFrame, products: pd.DataFrame, nouns: list[tuple[str, str]]):
    pick = rng.integers(0, len(products), n)
    rating = rng.choice([1, 2, 3, 4, 5], n, p=[0.08, 0.07, 0.15, 0.3, 0.4])
    texts = []
    for p, r in zip(pick, rating):
        tone = "positive" if r >= 4 else "negative" if r <= 2 else "neutral"
        phrases = rng.choice(V.REVIEW_PHRASES[tone], 2, replace=False)
        texts.append(" ".join(str(s).format(noun=nouns[p][1]) for s in phrases))
    days = rng.integers(0, (END - START).days, n)
    return pd.DataFrame({
        "review_id": ID_BASE["reviews"] + np.arange(n), "product_id": products["product_id"].to_numpy()[pick],
        "user_id": rng.choice(users["user_id"].to_numpy(), n), "rating": rating,
        "review_text": pd.Series(texts, dtype=object),
        "review_date": (START + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
    })


# ---- injected problems -------------------------------------------------------------------------------
def inject_problems(rng, d: int, tables: dict[str, pd.DataFrame]) -> list[int]:
    """Damage the clean tables (in place, then appending copied rows); returns the mislabelled product ids."""
    users, products, orders = tables["users"], tables["products"], tables["orders"]
    items, events, reviews = tables["order_items"], tables["events"], tables["reviews"]
    set_cells(rng, users, "country", 8 * d, lambda old: None)
    set_cells(rng, users, "signup_date", 3 * d, lambda old: rng.choice(V.BAD_DATES, len(old)))
    set_cells(rng, products, "description", 6 * d, lambda old: None)
    set_cells(rng, products, "price", 2 * d, lambda old: -old)
    set_cells(rng, orders, "payment_method", 6 * d, lambda old: None)
    set_cells(rng, items, "quantity", 2 * d, lambda old: -rng.integers(1, 3, len(old)))
    set_cells(rng, reviews, "review_text", 5 * d, lambda old: None)
    set_cells(rng, orders, "user_id", 5 * d, lambda old: orphan_ids("users", len(old)))
    set_cells(rng, items, "product_id", 4 * d, lambda old: orphan_ids("products", len(old)))
    set_cells(rng, events, "user_id", 6 * d, lambda old: orphan_ids("users", len(old)))
    inject_category_variants(rng, products, 8 * d)
    mislabelled = inject_mislabels(rng, products, 3 * d)
    inject_pii(rng, reviews, 6 * d)
    tables["users"] = with_copies(rng, users, 3 * d, change=None)
    tables["events"] = with_copies(rng, events, 10 * d, change=None)
    tables["orders"] = with_copies(rng, orders, 2 * d, change="status")
    return mislabelled


def set_cells(rng, df: pd.DataFrame, column: str, n: int, new: Callable) -> None:
    """Replace ``n`` random, not yet missing cells of a column by ``new(old_values)``."""
    rows = df.index[np.sort(rng.choice(np.flatnonzero(df[column].notna().to_numpy()), n, replace=False))]
    df.loc[rows, column] = new(df.loc[rows, column].to_numpy())


def orphan_ids(parent: str, n: int) -> list[int]:
    return list(ID_BASE[parent] - 1 - np.arange(n))  # just below the parent's id range: never a real key


def inject_category_variants(rng, products: pd.DataFrame, n: int) -> None:
    rows = rng.choice(len(products), n, replace=False)
    for r in rows:
        canonical = products.at[r, "category"]
        products.at[r, "category"] = str(rng.choice(V.CATEGORY_VARIANTS[canonical]))


def inject_mislabels(rng, products: pd.DataFrame, n: int) -> list[int]:
    canonical = products["category"].isin(list(V.CATEGORIES)).to_numpy()
    rows = rng.choice(np.flatnonzero(canonical), n, replace=False)
    for r in rows:
        true_cat = products.at[r, "category"]
        others = [c for c in V.CATEGORIES if c != true_cat]
        products.at[r, "category"] = str(rng.choice(others))
    return sorted(int(products.at[r, "product_id"]) for r in rows)


def inject_pii(rng, reviews: pd.DataFrame, n: int) -> None:
    rows = rng.choice(np.flatnonzero(reviews["review_text"].notna().to_numpy()), n, replace=False)
    for r in rows:
        snippet = str(rng.choice(V.PII_SNIPPETS))
        email = f"{rng.choice(V.FIRST_NAMES).lower()}.{rng.choice(['k', 'm', 'r'])}{rng.integers(10, 99)}@example.com"
        phone = rng.choice(["+1 555-{a}-{b}", "(555) {a} {b}", "555.{a}.{b}", "+44 20 {a} {b}"]).format(
            a=rng.integers(100, 999), b=rng.integers(1000, 9999))
        reviews.at[r, "review_text"] += " " + snippet.format(email=email, phone=phone)


def with_copies(rng, df: pd.DataFrame, n: int, change: str | None) -> pd.DataFrame:
    """The table plus copies of ``n`` random rows (exact, or with ``change`` set to another value), by key."""
    copies = df.iloc[np.sort(rng.choice(len(df), n, replace=False))].copy()
    if change is not None:
        choices = list(V.ORDER_STATUSES)
        copies[change] = [choices[(choices.index(v) + 1) % len(choices)] for v in copies[change]]
    merged = pd.concat([df, copies], ignore_index=True)
    return merged.sort_values(df.columns[0], kind="stable", ignore_index=True)


# ---- ground truth ------------------------------------------------------------------------------------
FOREIGN_KEYS = [("orders", "user_id", "users"), ("order_items", "order_id", "orders"),
                ("order_items", "product_id", "products"), ("events", "user_id", "users"),
                ("events", "product_id", "products"), ("reviews", "product_id", "products"),
                ("reviews", "user_id", "users")]
CATEGORY_COLUMNS = [("products", "category")]
DATE_COLUMNS = [("users", "signup_date")]
AMOUNT_COLUMNS = [("products", "price"), ("order_items", "quantity"), ("order_items", "unit_price"),
                  ("orders", "total_amount")]
TEXT_COLUMNS = [("reviews", "review_text"), ("products", "title"), ("products", "description")]
# The generator's own definition, not the profiler's: it is the answer key the profiler is graded against.
PII_PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\(?\d{2,3}\)?[ .-]\d{2,4}[ .-]\d{3,4}(?:[ .-]\d{3,4})?")


def measure_problems(tables: dict[str, pd.DataFrame], mislabelled: list[int]) -> list[Problem]:
    """Measure every problem on the final tables, with the definitions in the module docstring."""
    found: list[Problem] = []

    def add(table, column, kind, mask):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            keys = sorted({int(k) for k in tables[table][KEYS[table]].to_numpy()[mask]})
            found.append(Problem(table, column, kind, int(mask.sum()), tuple(keys)))

    for name, df in tables.items():
        key = KEYS[name]
        exact = df.duplicated()
        add(name, "*", "duplicate_rows", exact)
        add(name, key, "duplicate_key", df[key].duplicated() & ~exact)
        for col in df.columns:
            add(name, col, "missing_values", df[col].isna())
    for t, c in DATE_COLUMNS:
        s = tables[t][c]
        add(t, c, "unparseable_values", s.notna() & pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").isna())
    for t, c in AMOUNT_COLUMNS:
        add(t, c, "negative_values", tables[t][c] < 0)
    for t, c in CATEGORY_COLUMNS:
        add(t, c, "inconsistent_categories", ~tables[t][c].isin(list(V.CATEGORIES)))
    add("products", "category", "suspected_mislabel", tables["products"]["product_id"].isin(mislabelled))
    for t, c in TEXT_COLUMNS:
        add(t, c, "pii", tables[t][c].fillna("").str.contains(PII_PATTERN))
    for child, col, parent in FOREIGN_KEYS:
        add(child, col, "orphan_foreign_keys", ~tables[child][col].isin(tables[parent][KEYS[parent]]))
    return found
