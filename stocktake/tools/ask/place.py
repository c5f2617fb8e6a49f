"""Placing the parts of a question on the catalog: which asset the rows come from, which column each word means
given that asset (the one it has, else one a join reaches without counting rows twice), and which join.

Ambiguity is settled by the catalog, never by the order names happen to be listed in: a column in the asset
asked about beats one a join away, a short many-to-one join beats a long one or one that fans out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.model import Col
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.vocab import root

AMBIGUOUS = 0.05  # two readings of a word closer than this, both weak: the question is ambiguous
WEAK_HOW = ("head", "meaning", "docs", "part", "typo")
TABLE_NOUNS = ("table", "tables", "dataset", "file", "csv", "sheet", "log", "asset")
POPULARITY = ("order_items", "orders", "events", "reviews")
LATE_WORDS = (("deliver", "arriv", "receiv", "ship", "actual"), ("estimat", "expect", "promis", "limit", "due",
                                                                "planned", "schedul", "deadlin"))


@dataclass(frozen=True)
class Placed:
    col: Col
    score: float
    mention: Mention | None


def c_range(cue) -> range:
    return range(cue.start, cue.end)


def year_like(t) -> bool:
    return t.kind == "number" and t.text.isdigit() and 1950 <= int(t.text) <= 2100


class Placer:
    def __init__(self, schema: SchemaIndex, roles: Roles):
        self.schema, self.roles = schema, roles
        self.tabled: str | None = None  # the asset the question calls a table ("in the X table")
        self.dated: set[int] = set()  # tokens of the date ranges placed: "the last quarter of 2023" ranks nothing

    # ---- the asset ------------------------------------------------------------------------------------------
    def subject(self) -> list[Mention]:
        """Readings of the thing counted or listed: the asset named first after "how many"/"list"/"which",
        else the asset named most clearly. An asset whose every name word the question uses ("the items of
        order 12" for order_items) beats one a single word names."""
        said = {root(t.norm) for t in self.roles.tokens}
        assets = [replace(m, score=max(m.score, 0.97)) if len(self.schema.assets[m.asset].words) > 1 and
                  {root(w) for w in self.schema.assets[m.asset].words} <= said else m
                  for m in self.roles.mentions if m.kind == "asset"]
        tokens = self.roles.tokens
        tabled = [m for m in assets if m.end < len(tokens) and tokens[m.end].norm in TABLE_NOUNS and m.how != "entity"]
        if len({m.asset for m in tabled}) == 1:  # "in the translation table": said to be the table
            self.tabled = tabled[0].asset
            return sorted(tabled, key=lambda m: -m.score)
        cue_ends = [c.end for c in self.roles.cues if c.kind in ("count", "list", "distinct", "share")]
        for end in sorted(cue_ends):
            near = [m for m in assets if end <= m.start <= end + 3]
            if near:  # the clearest name near the cue: "how many purchase events" counts events
                best = max(near, key=lambda m: (round(m.score, 2), -m.start))
                return sorted((m for m in near if m.start == best.start), key=lambda m: -m.score)
        if assets:
            return sorted(assets, key=lambda m: (-m.width - m.score, m.start))
        return self._value_subject()

    def _value_subject(self) -> list[Mention]:
        """"how many comedies are there": no asset named, but the values of one column of one asset."""
        values = self.roles.values
        categories = [v for v in values if self.schema.column(v.asset, v.column).semantic in ("category", "geo")]
        values = categories or values  # a genre beats a free-text tag that happens to say "comedy"
        if len({v.asset for v in values}) != 1:
            return []
        v = values[0]
        return [Mention("asset", v.start, v.end, 0.6, v.asset, how="value")]

    def mark_subject(self, subject: list[Mention], base: str) -> None:
        """The words naming the asset the rows come from are accounted for, and so are those naming an asset
        the question only passes through ("customers who placed orders")."""
        for m in self.roles.mentions:
            if m.kind == "asset" and m.asset == base and m.how in ("name", "entity", "typo", "part"):
                if m.how == "entity" and any(v.asset == base and v.start < m.end and m.start < v.end
                                             for v in self.roles.values):
                    continue  # "viewed", "clicks" in events: the event type, not just the table
                self._use(m)


    # ---- columns -----------------------------------------------------------------------------------------
    def column(self, mentions, base: str | None, numeric: bool | None = None,
               temporal: bool | None = None, measure: bool = False, counted: bool = False) -> Placed | None:
        """The best column among the mentions' readings, seen from ``base`` (None: any asset); a ``counted``
        noun ("how many distinct invoices") names things by their id, not their date."""
        options = []
        for m in mentions:
            if m.kind != "column":
                continue
            info = self.schema.column(m.asset, m.column)
            if numeric and not info.numeric or temporal and not info.temporal:
                continue
            if (numeric or measure) and info.id_like and m.how != "name":  # "order amount" is no sum of ids
                continue
            # a longer phrase that names the column beats a word of it; a measure prefers money or units
            score = m.score + 0.25 * (m.width - 1) + (self._distance(base, m.asset) if base else 0.0)
            if numeric and info.semantic in ("price", "quantity", "rating"):
                score += 0.1
            if measure and not temporal and info.numeric and not info.id_like:  # "smallest order total"
                score += 0.4
            if counted and (info.id_like or info.temporal):
                score += 0.1 if info.id_like else -0.1
            options.append(Placed(Col(asset=m.asset, column=m.column), score, m))
        if not options:
            return None
        options.sort(key=lambda p: -p.score)
        # the same column name in another table (a lookup of this one) is the same thing, not a rival; nor is
        # a word of a longer name read alone ("product" of "product categories")
        top = options[0].mention
        rival = next((o for o in options[1:] if o.col.column != options[0].col.column and not (
            top.start <= o.mention.start and o.mention.end <= top.end and o.mention.width < top.width)), None)
        if rival is not None and options[0].score - rival.score < AMBIGUOUS and options[0].mention.how in WEAK_HOW:
            self.roles.ambiguous.append((options[0].col, rival.col))
        return options[0]

    def group_column(self, mentions, base: str) -> Placed | None:
        """A group: a column, or an asset named as a whole ("per customer": the base's key to it)."""
        options = []
        col = self.column(mentions, base)
        if col is not None:
            options.append(col)
        for m in mentions:
            if m.kind != "asset":
                continue
            key = self._key_towards(base, m.asset)
            if key is not None:
                options.append(Placed(key, m.score + 0.25 * (m.width - 1) + self._distance(base, m.asset), m))
        return max(options, key=lambda p: p.score, default=None)

    def _key_towards(self, base: str, asset: str) -> Col | None:
        """The column that points to ``asset`` nearest to ``base`` (orders.user_id for users, from orders or
        from order_items), else ``asset``'s own key."""
        route = self.schema.path(base, asset)
        if route and route[-1].forward:
            last = route[-1].edge
            return Col(asset=last.child, column=last.child_column)
        key = self.schema.assets[asset].key
        return Col(asset=asset, column=key) if key else None

    def _distance(self, base: str, asset: str) -> float:
        if base == asset:
            return 0.3
        route = self.schema.path(base, asset)
        if route is None:
            return -1.0
        return 0.15 - 0.1 * len(route) - 0.35 * sum(h.fans_out for h in route)

    def _use(self, mention: Mention | None) -> None:
        if mention is not None:
            self.roles.mark(range(mention.start, mention.end))


    def _time_column(self, base: str, use: bool = True) -> Col | None:
        """The date the rows are about: the base's own main date, else the nearest joined one's; ``use``
        accounts for the words that named it."""
        dated = [m for m in self.roles.mentions if m.kind == "column" and m.how in ("name", "part", "head")
                 and self.schema.column(m.asset, m.column).temporal]
        placed = self.column(dated, base, temporal=True)
        if placed is not None and placed.score > 0.6:
            if use:
                self._use(placed.mention)
            return placed.col
        own = self._own_time(base)
        if own is not None:
            return own
        for e in self.schema.edges:
            if e.child == base and self._own_time(e.parent) is not None:
                return self._own_time(e.parent)
        return None

    def _own_time(self, asset: str) -> Col | None:
        info = self.schema.assets[asset]
        if info.time_column:
            return Col(asset=asset, column=info.time_column)
        dated = next((c for c in info.columns if c.temporal), None)
        return Col(asset=asset, column=dated.name) if dated else None

    # ---- conditions --------------------------------------------------------------------------------------

    def _explain_delivery_words(self, before: int, values_before_nouns: bool = True) -> None:
        """"delivered late", "arrived after": the verb names the delivery date, not a status value. Without
        ``values_before_nouns``, "delivered orders" stays a status value (the delivery time of delivered orders)."""
        nouns = {m.start for m in self.roles.mentions if m.kind == "asset"}
        valued = {v.start for v in self.roles.values}
        for i in range(before):
            if not values_before_nouns and i in valued and i + 1 in nouns:
                continue
            if root(self.roles.tokens[i].norm) in LATE_WORDS[0]:
                self.roles.mark(range(i, i + 1))
                for m in self.roles.mentions:
                    if m.kind == "column" and m.start == i and m.width == 1:
                        self._use(m)

    def _late_pair(self, base: str) -> tuple[Col, Col] | None:
        for asset in [base, *(e.parent for e in self.schema.edges if e.child == base)]:
            dates = [c for c in self.schema.assets[asset].columns if c.temporal]
            actuals = [c for c in dates if set(map(root, c.words)) & set(LATE_WORDS[0])
                       and not set(map(root, c.words)) & set(LATE_WORDS[1])]
            # delivered to the customer is the delivery; handed to the carrier is shipping
            actual = min(actuals, key=lambda c: ("carrier" in c.words, "customer" not in c.words), default=None)
            due = next((c for c in dates if set(map(root, c.words)) & set(LATE_WORDS[1])), None)
            if actual is not None and due is not None:
                return Col(asset=asset, column=actual.name), Col(asset=asset, column=due.name)
        return None
