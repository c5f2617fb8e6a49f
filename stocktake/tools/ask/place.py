"""Placing the parts of a question on the catalog: which asset the rows come from, which column each word means
given that asset (the one it has, else one a join reaches without counting rows twice), and which join.

Ambiguity is settled by the catalog, never by the order names happen to be listed in: a column in the asset
asked about beats one a join away, a short many-to-one join beats a long one or one that fans out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stocktake.tools.ask.cues import number_at
from stocktake.tools.ask.dates import DateRange, find_dates
from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measures import (QUANTITY_ROOTS, REVENUE_ROOTS, MeasureChoice, MeasureSpec, money_assets,
                                          money_measure, quantity_measure)
from stocktake.tools.ask.model import Col, Compare, Derived, Filter, Group, Measure
from stocktake.tools.ask.roles import IdRef, Roles
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.vocab import root

AMBIGUOUS = 0.05  # two readings of a word closer than this, both weak: the question is ambiguous
WEAK_HOW = ("head", "meaning", "docs", "part", "typo")
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


def _year_like(t) -> bool:
    return t.kind == "number" and t.text.isdigit() and 1950 <= int(t.text) <= 2100


def _counted_target(mentions, schema: SchemaIndex) -> Mention | None:
    """What "how many" counts: an asset named as a whole before a column of it read from the same word
    ("reviews" counts reviews, not distinct review ids)."""
    if not mentions:
        return None
    first = mentions[0]
    same = [m for m in mentions if m.start == first.start]
    asset = next((m for m in same if m.kind == "asset"), None)
    if asset is None or first.kind != "column" or first.width > asset.width:
        return first
    key = schema.assets[asset.asset].key
    key_words = {root(w) for w in schema.column(asset.asset, key).words} if key else set()
    noun = {root(w) for w in schema.column(first.asset, first.column).words} - {"id", "key", "code", "no"}
    if first.column == key or noun <= key_words or key is None and asset.score >= 0.8:
        return asset  # "how many reviews": reviews are the rows of the reviews table
    return first  # "how many categories" in an item -> category map: distinct categories, not rows


class Placer:
    def __init__(self, schema: SchemaIndex, roles: Roles):
        self.schema, self.roles = schema, roles

    # ---- the asset ------------------------------------------------------------------------------------------
    def subject(self) -> list[Mention]:
        """Readings of the thing counted or listed: the asset named first after "how many"/"list"/"which",
        else the asset named most clearly. An asset whose every name word the question uses ("the items of
        order 12" for order_items) beats one a single word names."""
        said = {root(t.norm) for t in self.roles.tokens}
        assets = [replace(m, score=max(m.score, 0.97)) if len(self.schema.assets[m.asset].words) > 1 and
                  {root(w) for w in self.schema.assets[m.asset].words} <= said else m
                  for m in self.roles.mentions if m.kind == "asset"]
        cue_ends = [c.end for c in self.roles.cues if c.kind in ("count", "list", "distinct", "share")]
        for end in sorted(cue_ends):
            near = [m for m in assets if end <= m.start <= end + 3]
            if near:  # the clearest name near the cue: "how many purchase events" counts events
                best = max(near, key=lambda m: (round(m.score, 2), -m.start))
                return sorted((m for m in near if m.start == best.start), key=lambda m: -m.score)
        return sorted(assets, key=lambda m: (-m.width - m.score, m.start))

    def mark_subject(self, subject: list[Mention], base: str) -> None:
        """The words naming the asset the rows come from are accounted for, and so are those naming an asset
        the question only passes through ("customers who placed orders")."""
        for m in self.roles.mentions:
            if m.kind == "asset" and m.asset == base and m.how in ("name", "entity", "typo", "part"):
                if m.how == "entity" and any(v.asset == base and v.start < m.end and m.start < v.end
                                             for v in self.roles.values):
                    continue  # "viewed", "clicks" in events: the event type, not just the table
                self._use(m)

    def mark_counted(self, base: str) -> None:
        """"ratings per month": the word before the grouping names what is counted (rows with a rating)."""
        first_group = min((c.start for c in self.roles.cue("group")), default=len(self.roles.tokens))
        for m in self.roles.mentions:
            if m.end <= first_group and m.asset == base and m.how in ("name", "part", "entity"):
                self._use(m)
                return

    def measure(self, spec: MeasureSpec | None, subject: list[Mention]) -> tuple[str | None, MeasureChoice | None]:
        """The base asset and the concrete measure."""
        subject_assets = [m.asset for m in subject]
        if spec is None:
            return (subject_assets[0] if subject_assets else self._only_asset()), None
        if spec.derived is not None:
            return self._derived(spec, subject_assets)
        if spec.concept == "duration":
            return self._duration(spec, subject_assets)
        if spec.concept == "rating":
            return self._rating(spec)
        if spec.kind == "sort" and spec.concept:
            return self._sort_by_price(spec)
        if spec.concept:
            return self._concept(spec, subject_assets)
        if spec.kind == "distribution":
            column = self.column(spec.group, None)
            return (column.col.asset if column else None), MeasureChoice(Measure(agg="count"), spec.tokens, 0.9, ())
        if spec.kind == "most" and spec.agg == "count" and not spec.target and spec.group:
            return self._popularity(spec)
        if spec.agg in ("count", "count_distinct", "share") and spec.kind != "sort":
            return self._count(spec, subject_assets)
        timely = spec.agg in ("min", "max") and self._asks_time(spec)
        placed = self.column(spec.target, subject_assets[0] if subject_assets else None, numeric=spec.agg in (
            "sum", "mean", "median") or None, temporal=timely or None, measure=spec.agg in ("min", "max"))
        if placed is None and spec.agg in ("min", "max"):
            placed = self._when(spec)
            asks_when = any(t.norm == "when" for t in self.roles.tokens)
            if placed is not None and not asks_when:  # "the most recent review" is a review, the newest one
                self._use(placed.mention)
                return placed.col.asset, MeasureChoice(Measure(agg=spec.agg, column=placed.col), spec.tokens,
                                                       placed.score, (), "sort")
        if placed is None:
            return (subject_assets[0] if subject_assets else None), None
        self._use(placed.mention)
        agg = "count_distinct" if spec.agg == "count_distinct" else spec.agg
        base = placed.col.asset
        if spec.kind == "sort":
            return base, MeasureChoice(Measure(agg="max", column=placed.col), spec.tokens, placed.score, (), "sort")
        per = self._per(spec, base)
        return base, MeasureChoice(Measure(agg=agg, column=placed.col, per=per), spec.tokens, placed.score, ())

    def _asks_time(self, spec: MeasureSpec) -> bool:
        """"when", "latest", "earliest", "most recent": a date is asked for, not the largest id."""
        words = {self.roles.tokens[i].norm for i in spec.tokens if i is not None}
        return bool(words & {"latest", "earliest", "last", "first", "newest", "oldest", "recent"}) or \
            any(t.norm == "when" for t in self.roles.tokens)

    def _when(self, spec: MeasureSpec) -> Placed | None:
        """"when was the first order placed", "latest review": the date of the asset named."""
        asset = next((m for m in spec.target if m.kind == "asset"), None) or next(
            (m for m in spec.target if m.kind == "column" and m.how in ("name", "part")), None)
        if asset is None:
            return None
        own = self._own_time(asset.asset)
        return Placed(own, asset.score, asset) if own is not None else None

    def _only_asset(self) -> str | None:
        columns = {m.asset for m in self.roles.mentions if m.kind == "column" and m.how in ("name", "part")}
        columns |= {m.asset for m in self.roles.values}
        return next(iter(columns)) if len(columns) == 1 else None

    def _count(self, spec: MeasureSpec, subject: list[str]) -> tuple[str | None, MeasureChoice | None]:
        target = _counted_target(spec.target, self.schema)
        through = self._through_child(spec, target)
        if through is not None:
            return through
        if spec.agg == "count_distinct" and target is not None:
            others = [m.asset for m in self.roles.mentions if m.kind == "asset" and m.asset != target.asset
                      and m.start > target.end]
            placed = self.column(spec.target, others[0] if others else None)
            if placed is not None:
                self._use(placed.mention)
                return placed.col.asset, MeasureChoice(Measure(agg="count_distinct", column=placed.col),
                                                       spec.tokens, placed.score, ())
        if target is not None and target.kind == "column" and (target.how in ("part", "name") or not subject):
            self._use(target)
            info = self.schema.column(target.asset, target.column)
            col = Col(asset=target.asset, column=target.column)
            if spec.agg != "share" and (info.id_like or info.semantic in ("category", "geo", "text", "other",
                                                                          "email", "phone")):
                # "how many customers" where customers are only a CustomerID column of the lines table
                return target.asset, MeasureChoice(Measure(agg="count_distinct", column=col), spec.tokens,
                                                   target.score, ())
            # "how many ratings": the rows that hold a rating
            agg = "share" if spec.agg == "share" else "count"
            return target.asset, MeasureChoice(Measure(agg=agg), spec.tokens, target.score, ())
        base = target.asset if target is not None and target.kind == "asset" else (subject[0] if subject else
                                                                                   self._only_asset())
        if target is not None and target.kind == "asset":
            self._use(target)
        if base is None:
            return None, None
        per = self._per(spec, base)
        agg = "share" if spec.agg == "share" else "count"
        return base, MeasureChoice(Measure(agg=agg, per=per), spec.tokens, target.score if target else 0.6, ())

    def _through_child(self, spec: MeasureSpec, target: Mention | None):
        """"how many (unique) customers placed an order": the distinct keys in the orders that point to
        customers, so ids of customers missing from the customers table count too."""
        if target is None or target.kind != "asset" or spec.agg not in ("count", "count_distinct"):
            return None
        later = [m for m in self.roles.mentions if m.kind == "asset" and m.asset != target.asset
                 and m.start >= target.end and m.how in ("name", "entity", "part")]
        nulls = {c.end for c in self.roles.cue("null")} | {c.end + 1 for c in self.roles.cue("null")}
        for child in later:
            if child.start in nulls:  # "movies with no ratings" are movies, tested for ratings they lack
                continue
            edge = next((e for e in self.schema.edges if e.child == child.asset and e.parent == target.asset), None)
            if edge is not None:
                self._use(target)
                self._use(child)
                col = Col(asset=child.asset, column=edge.child_column)
                note = f"I counted the distinct {edge.child_column} values in {child.asset}"
                return child.asset, MeasureChoice(Measure(agg="count_distinct", column=col), spec.tokens, 0.9,
                                                  (note,))
        return None

    def _derived(self, spec: MeasureSpec, subject: list[str]) -> tuple[str | None, MeasureChoice | None]:
        left, op, right = spec.derived
        a = self.column(left, subject[0] if subject else None, numeric=True)
        b = self.column(right, a.col.asset if a else None, numeric=True)
        if a is None or b is None or self.schema.path(a.col.asset, b.col.asset) is None:
            return (subject[0] if subject else None), None
        self._use(a.mention)
        self._use(b.mention)
        name = f"{a.col.column} {'×' if op == '*' else op} {b.col.column}"
        measure = Measure(agg=spec.agg, derived=Derived(name=name, op=op, left=a.col, right=b.col))
        return a.col.asset, MeasureChoice(measure, spec.tokens, 0.9, ())

    def _rating(self, spec: MeasureSpec) -> tuple[str | None, MeasureChoice | None]:
        """The average rating of the things grouped, where their ratings are kept."""
        group = next((m for m in spec.group if m.kind == "asset"), None)
        assets = [e.child for e in self.schema.edges if group is not None and e.parent == group.asset]
        assets += [a.name for a in self.schema.assets.values()]
        for name in dict.fromkeys(assets):
            rating = next((c for c in self.schema.assets[name].columns if c.semantic == "rating"), None)
            if rating is not None:
                return name, MeasureChoice(Measure(agg="mean", column=Col(asset=name, column=rating.name)),
                                           spec.tokens, 0.9, ())
        return None, None

    def _duration(self, spec: MeasureSpec, subject: list[str]) -> tuple[str | None, MeasureChoice | None]:
        """Days from the order (its main date) to its delivery."""
        for asset in [*subject, *(a.name for a in self.schema.assets.values())]:
            pair = self._late_pair(asset)
            start = self._own_time(asset)
            if pair is not None and start is not None and pair[0].asset == asset and start != pair[0]:
                measure = Measure(agg=spec.agg, derived=Derived(name="delivery days", op="days", left=pair[0],
                                                                right=start))
                self._explain_delivery_words(len(self.roles.tokens))
                note = f"I read the delivery time as days from {start.column} to {pair[0].column}"
                return asset, MeasureChoice(measure, spec.tokens, 0.9, (note,))
        return (subject[0] if subject else None), None

    def _sort_by_price(self, spec: MeasureSpec) -> tuple[str | None, MeasureChoice | None]:
        """"the three cheapest products": the products by their own price."""
        asset = spec.target[0].asset
        found = money_measure(self.schema, "max", [asset], derived=False)
        if found is None or found[1] != asset:
            return asset, None
        self._use(spec.target[0])
        agg = "min" if spec.direction == "asc" else "max"
        return asset, MeasureChoice(found[0].model_copy(update={"agg": agg}), spec.tokens, 0.9, (), "sort")

    def _popularity(self, spec: MeasureSpec) -> tuple[str | None, MeasureChoice | None]:
        """"the most popular products": counted where they are ordered (or viewed, or reviewed)."""
        group = next((m for m in spec.group if m.kind == "asset"), None)
        if group is None:
            column = self.column(spec.group, None)
            if column is None:
                return None, None
            return column.col.asset, MeasureChoice(Measure(agg="count"), spec.tokens, column.score, ())
        facts = [e for e in self.schema.edges if e.parent == group.asset]
        valued = {v.asset for v in self.roles.values}  # "viewed the most": counted where views are
        facts.sort(key=lambda e: e.child not in valued)
        ranked = sorted(facts, key=lambda e: (e.child not in valued, POPULARITY.index(self.schema.assets[e.child].kind)
                                              if self.schema.assets[e.child].kind in POPULARITY else 9))
        if not ranked:
            return group.asset, MeasureChoice(Measure(agg="count"), spec.tokens, 0.5, ())
        base = ranked[0].child
        note = f"I read popularity as the number of {base} rows per {group.asset}"
        return base, MeasureChoice(Measure(agg="count"), spec.tokens, 0.8, (note,))

    def _concept(self, spec: MeasureSpec, subject: list[str]) -> tuple[str | None, MeasureChoice | None]:
        preferred = [m.asset for m in spec.target if m.kind == "asset"] or subject
        finder = money_measure if spec.concept == "money" else quantity_measure
        agg = spec.agg if spec.agg not in ("count", "count_distinct", "share") else "sum"
        for m in spec.target:
            self._use(m)
        found = finder(self.schema, agg, money_assets(self.schema, preferred))
        if found is None:
            return (subject[0] if subject else None), None
        measure, base, note = found
        return base, MeasureChoice(measure, tuple(t for t in spec.tokens if t is not None), 0.8, (note,))

    def _per(self, spec: MeasureSpec, base: str) -> Col | None:
        if not spec.per:
            return None
        placed = self.group_column(spec.per, base)
        if placed is None:
            return None
        self._use(placed.mention)
        return placed.col

    # ---- columns -----------------------------------------------------------------------------------------
    def column(self, mentions, base: str | None, numeric: bool | None = None,
               temporal: bool | None = None, measure: bool = False) -> Placed | None:
        """The best column among the mentions' readings, seen from ``base`` (None: any asset)."""
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
            options.append(Placed(Col(asset=m.asset, column=m.column), score, m))
        if not options:
            return None
        options.sort(key=lambda p: -p.score)
        # the same column name in another table (a lookup of this one) is the same thing, not a rival
        rival = next((o for o in options[1:] if o.col.column != options[0].col.column), None)
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

    # ---- groups --------------------------------------------------------------------------------------------
    def groups(self, base: str, spec: MeasureSpec | None) -> list[Group]:
        out: list[Group] = []
        if spec is not None and spec.kind in ("most", "distribution") and spec.group and spec.group != ("who",):
            placed = self.group_column(spec.group, base)
            if placed is not None:
                self._use(placed.mention)
                out.append(Group(column=placed.col))
        if spec is not None and spec.group == ("who",):
            placed = self._who(base)
            if placed is not None:
                out.append(Group(column=placed))
        for cue in self.roles.cue("group"):
            if cue.start in self.roles.used or self._id_follows(cue.end) or self._agent(cue) or self._by_measure(cue):
                continue
            bucket = self._bucket_at(cue.end)
            if bucket is not None:
                column = self._time_column(base)
                if column is not None:
                    self.roles.mark(range(cue.start, cue.end + 1))
                    out.append(Group(column=column, bucket=bucket))
                continue
            if cue.end < len(self.roles.tokens) and self.roles.tokens[cue.end].norm in ("all", "every", "any"):
                self.roles.mark(cue.covers())  # "across all reviews": over all of them, no groups
                continue
            targets = self.roles.at(cue.end) or self.roles.at(cue.end + 1)
            if self._own_rows(targets, base):  # "median freight per item" of a table of items: per row
                self.roles.mark(cue.covers(), *[range(t.start, t.end) for t in targets])
                continue
            placed = self.group_column(targets, base) if targets else None
            if placed is not None and not any(g.column == placed.col for g in out):
                self._use(placed.mention)
                self.roles.mark(cue.covers())
                out.append(Group(column=placed.col))
        for cue in self.roles.cue("bucket"):  # "monthly revenue", "orders per day"
            if cue.start in self.roles.used or any(g.bucket for g in out) or not self._bucket_word(cue):
                continue
            dated = next((g for g in out if g.bucket is None and self.schema.column(g.column.asset,
                                                                                  g.column.column).temporal), None)
            if dated is not None:  # "yearly totals by purchase date": the year of that date
                out[out.index(dated)] = Group(column=dated.column, bucket=cue.value)
                self.roles.mark(cue.covers())
                continue
            column = self._time_column(base)
            if column is not None:
                self.roles.mark(cue.covers())
                out.append(Group(column=column, bucket=cue.value))
        return out

    def ranked(self, base: str, at: int) -> Group | None:
        """"top 5 sellers by revenue": what is ranked is named right after the top N, and is a group."""
        for i in (at, at + 1, at + 2):
            mentions = self.roles.at(i)
            placed = self.group_column(mentions, base) if mentions else None
            if placed is not None:
                self._use(placed.mention)
                return Group(column=placed.col)
        return None

    def _agent(self, cue) -> bool:
        """"placed by users from Italy": "by" after a verb names who did it, not a grouping."""
        if self.roles.tokens[cue.start].norm != "by" or cue.start == 0:
            return False
        before = self.roles.tokens[cue.start - 1].norm
        return (before.endswith("ed") or before in ("made", "written", "bought", "sold", "paid", "done", "sent")) \
            and before not in ("grouped", "sorted", "ordered", "ranked", "broken", "split", "filtered")

    def _by_measure(self, cue) -> bool:
        """"top 3 customers by spend", "products by units": after "by", the measure the ranking uses."""
        if self.roles.tokens[cue.start].norm != "by" or cue.end >= len(self.roles.tokens):
            return False
        word = root(self.roles.tokens[cue.end].norm)
        ranked = self.roles.limit is not None or bool(self.roles.cue("most"))
        if ranked and word in REVENUE_ROOTS | QUANTITY_ROOTS | {root("number"), root("count")}:
            self.roles.mark(cue.covers(), range(cue.end, cue.end + 1))
            return True
        return False

    def _own_rows(self, targets: list[Mention], base: str) -> bool:
        """The group names the base's own rows: "per item" of order items, "per order" of orders."""
        widest = max((t.width for t in targets), default=0)
        assets = sorted((t for t in targets if t.kind == "asset" and t.width == widest), key=lambda t: -t.score)
        if not assets or any(t.kind == "column" and t.width > widest and t.how == "name" for t in targets):
            return False
        return assets[0].asset == base  # "revenue per order line" of order lines: per row, not a group

    def _who(self, base: str) -> Col | None:
        users = [a for a in self.schema.assets.values() if a.kind == "users"]
        for a in users:
            key = self._key_towards(base, a.name)
            if key is not None and self.schema.path(base, key.asset) is not None:
                return key
        info = self.schema.assets[base]
        return next((Col(asset=base, column=c.name) for c in info.columns
                     if c.id_like and {"customer", "user", "client"} & set(c.words)), None)

    def _bucket_word(self, cue) -> bool:
        word = self.roles.tokens[cue.start].norm
        return word.endswith("ly") or word in ("annual", "trend", "weekday", "weekdays") or \
            " ".join(t.norm for t in self.roles.tokens[cue.start:cue.end]) in ("over time", "day of week",
                                                                              "per day", "per month", "per year")

    def _bucket_at(self, i: int):
        for cue in self.roles.cue("bucket"):
            if cue.start == i or cue.start == i + 1 and self.roles.tokens[i].norm in ("the", "a", "each", "every"):
                return cue.value
        return None

    def _id_follows(self, i: int) -> bool:
        return any(r.start in (i, i + 1) for r in self.roles.ids)

    def _time_column(self, base: str) -> Col | None:
        """The date the rows are about: the base's own main date, else the nearest joined one's."""
        dated = [m for m in self.roles.mentions if m.kind == "column" and m.how in ("name", "part", "head")
                 and self.schema.column(m.asset, m.column).temporal]
        placed = self.column(dated, base, temporal=True)
        if placed is not None and placed.score > 0.6:
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
    def filters(self, base: str, draft, anchor) -> None:
        self._value_filters(base, draft)
        self._null_filters(base, draft)
        self._number_filters(base, draft)
        self._date_filters(base, draft)

    def _value_filters(self, base: str, draft) -> None:
        by_span: dict[tuple[int, int], list[Mention]] = {}
        for v in self.roles.values:
            if any(k in self.roles.used for k in range(v.start, v.end)) or self._named_otherwise(v) \
                    or self._base_column_word(v, base):
                continue
            by_span.setdefault((v.start, v.end), []).append(v)
        chosen = []
        for span in sorted(by_span, key=lambda s: (-(s[1] - s[0]), s[0])):
            if any(span[0] < e and s < span[1] for s, e, _ in chosen):
                continue
            best = max(by_span[span], key=lambda v: v.score + self._distance(base, v.asset))
            if self._distance(base, best.asset) <= -1.0:
                continue
            chosen.append((span[0], span[1], best))
        verbs = [c for c in chosen if self._verb_use(c, chosen)]
        for start, end, _ in verbs:
            self.roles.mark(range(start, end))
        chosen = [c for c in chosen if c not in verbs]
        grouped: dict[tuple[str, str], list] = {}
        for start, end, v in chosen:
            for m in self.roles.mentions:  # "the books category", "status delivered": the value's own column
                if m.kind == "column" and m.column == v.column and m.asset == v.asset and m.start in (end, end + 1) \
                        or m.kind == "column" and m.column == v.column and m.end in (start, start - 1):
                    self._use(m)
            negated = self._negated(start)
            grouped.setdefault((v.asset, v.column), []).append((v, negated))
            self.roles.mark(range(start, end))
        for (asset, column), items in grouped.items():
            col = Col(asset=asset, column=column)
            keep = [v.value for v, neg in items if not neg]
            drop = [v.value for v, neg in items if neg]
            if keep:
                draft.filters.append(Filter(column=col, op="=", value=keep[0]) if len(keep) == 1 else
                                     Filter(column=col, op="in", value=keep))
            if drop:
                draft.filters.append(Filter(column=col, op="!=", value=drop[0]) if len(drop) == 1 else
                                     Filter(column=col, op="not_in", value=drop))
            draft.score += max(v.score for v, _ in items) * 0.2

    def _named_otherwise(self, v: Mention) -> bool:
        """A value reading loses to a wider or stronger name: "payment method" is a column, not 'paid'."""
        return any(m.start <= v.start and v.end <= m.end and (m.width > v.width or m.score > v.score)
                   and m.how in ("name", "part") for m in self.roles.mentions)

    def _base_column_word(self, v: Mention, base: str) -> bool:
        """"reviews were created in 2018": "created" names the reviews' creation date, not the status of a
        joined order."""
        if v.asset == base:
            return False
        return any(m.kind == "column" and m.asset == base and m.start <= v.start and v.end <= m.end
                   and m.how in ("name", "part", "head") for m in self.roles.mentions)

    def _verb_use(self, item, chosen) -> bool:
        """"paid with paypal", "shipped by DHL": a value word used as the verb of another value."""
        start, end, v = item
        if any(m.kind == "column" and m.end == start and m.column != v.column and m.how in ("name", "part")
               and m.score >= 0.8 for m in self.roles.mentions):
            return True  # "price paid", "date shipped": the word qualifies the column before it
        if end >= len(self.roles.tokens) or self.roles.tokens[end].norm not in ("with", "by", "via", "using",
                                                                                "through", "in", "on"):
            return False
        return any(s2 in (end + 1, end + 2) and v2.column != v.column for s2, _, v2 in chosen)

    def _negated(self, start: int) -> bool:
        return any(c.end in (start, start - 1) for c in self.roles.cue("negate"))

    def _null_filters(self, base: str, draft) -> None:
        cues = sorted(self.roles.cue("null") + self.roles.cue("notnull"), key=lambda c: c.start - c.end)
        for cue in cues:
            if any(k in self.roles.used for k in c_range(cue)):
                continue
            targets = self.roles.at(cue.end) or self.roles.at(cue.end + 1)
            if not targets:
                continue
            placed = self.column([t for t in targets if t.kind == "column"], base)
            asset = next((t for t in targets if t.kind == "asset" and t.asset != base), None)
            if asset is not None and cue.kind == "null" and (placed is None or placed.score < asset.score + 0.3):
                route = self.schema.path(base, asset.asset)
                if route and route[0].fans_out:
                    draft.absent.append(asset.asset)
                    self.roles.mark(cue.covers(), range(asset.start, asset.end))
                    continue
            if placed is not None and cue.kind == "notnull" and self._compared(placed.mention):
                self.roles.mark(cue.covers())
                continue
            if placed is None:
                continue
            self._use(placed.mention)
            self.roles.mark(cue.covers())
            draft.filters.append(Filter(column=placed.col, op="is_null" if cue.kind == "null" else "not_null"))

    def _compared(self, mention: Mention | None) -> bool:
        """"with a total over 500": the column is compared, not merely present."""
        return mention is not None and any(c.start in (mention.end, mention.end + 1)
                                           for c in self.roles.comparisons)

    def _number_filters(self, base: str, draft) -> None:
        for comp in self.roles.comparisons:
            if any(k in self.roles.used for k in range(comp.start, comp.end)):
                continue
            placed = self.column(comp.target, base, numeric=True) if comp.target else None
            if placed is None:
                placed = self._default_number_column(base)
            if placed is None:
                continue
            self._use(placed.mention)
            self.roles.mark(range(comp.start, comp.end))
            draft.filters.append(Filter(column=placed.col, op=comp.op, value=comp.value))
        for cue in self.roles.cue("zero"):  # "negative quantities", "zero prices"
            targets = self.roles.at(cue.end)
            placed = self.column(targets, base, numeric=True)
            if placed is None:
                continue
            word = self.roles.tokens[cue.start].norm
            op = {"negative": "<", "positive": ">", "zero": "="}[word]
            self._use(placed.mention)
            self.roles.mark(cue.covers())
            draft.filters.append(Filter(column=placed.col, op=op, value=0))
        self._star_ratings(base, draft)
        self._text_filters(base, draft)

    def _text_filters(self, base: str, draft) -> None:
        """"invoice starting with C", "titles containing 'wireless'": a text condition on the column named."""
        tokens = self.roles.tokens
        for i, t in enumerate(tokens[:-2] if len(tokens) > 2 else ()):
            if tokens[i + 1].norm != "with" and t.norm not in ("containing", "contains", "mentioning", "mention"):
                continue
            if t.norm in ("starting", "starts", "start", "beginning", "begins", "begin"):
                op, at = "startswith", i + 2
            elif t.norm in ("containing", "contains", "mentioning", "mention"):
                op, at = "contains", i + 1
            else:
                continue
            if at >= len(tokens) or at in self.roles.used:
                continue
            named = [m for m in self.roles.mentions if m.kind == "column" and 0 < i - m.end + 1 <= 3]
            placed = self.column(named, base)
            if placed is None:
                continue
            self._use(placed.mention)
            self.roles.mark(range(i, at + 1))
            draft.filters.append(Filter(column=placed.col, op=op, value=tokens[at].text))

    def _star_ratings(self, base: str, draft) -> None:
        """"5 stars", "rated 4", "a score of 1": equality on the rating column."""
        tokens = self.roles.tokens
        ids = {k for r in self.roles.ids for k in range(r.start, r.end)}
        for i, t in enumerate(tokens):
            value = number_at(tokens, i)
            if value is None or i in self.roles.used or i in ids:
                continue
            after = root(tokens[i + 1].norm) if i + 1 < len(tokens) else ""
            before = " ".join(tokens[k].norm for k in range(max(0, i - 2), i))
            if after not in ("star", "point") and not any(before.endswith(w) for w in (
                    "rated", "rating of", "score of", "scored", "rating", "score", "stars", "rated a")):
                continue
            rating = next((c for c in self.schema.assets[base].columns if c.semantic == "rating"), None)
            if rating is None:
                continue
            self.roles.mark(range(max(0, i - 2), min(len(tokens), i + 2)))
            draft.filters.append(Filter(column=Col(asset=base, column=rating.name), op="=", value=value))

    def _default_number_column(self, base: str) -> Placed | None:
        """"orders over 100": the base's money column."""
        info = self.schema.assets[base]
        found = money_measure(self.schema, "sum", [base])
        if found is None or found[0].column is None:
            return None
        return Placed(found[0].column, 0.5, None)

    def _date_filters(self, base: str, draft) -> None:
        for d in self._dates(base):
            column = self._date_column(base, d)
            if column is None:
                continue
            self.roles.mark(range(d.start, d.end))
            info = self.schema.column(column.asset, column.column)
            low = d.low.isoformat() if d.low else None
            high = d.high.isoformat() if d.high else None
            if low and high:
                draft.filters.append(Filter(column=column, op="between", value=[low, high]))
            elif low:
                draft.filters.append(Filter(column=column, op=">=", value=low))
            elif high:
                draft.filters.append(Filter(column=column, op="<", value=high))
            draft.notes.append(f"dates: {d.text} ({column.column})")
            del info

    def _date_column(self, base: str, d: DateRange) -> Col | None:
        """The date a phrase is about: a date column named just before it ("delivered in 2018"), else the
        date of the asset named just before it ("placed an order in 2023"), else the base's own date."""
        before = [m for m in self.roles.mentions if m.end <= d.start and d.start - m.end <= 3]
        dated = [m for m in before if m.kind == "column" and self.schema.column(m.asset, m.column).temporal
                 and m.how in ("name", "part", "head")]
        placed = self.column(dated, base, temporal=True)
        if placed is not None:
            self._use(placed.mention)
            return placed.col
        named = [m for m in before if m.kind == "asset" and m.asset != base and self.schema.path(base, m.asset)]
        if named:
            nearest = max(named, key=lambda m: m.end)
            own = self._own_time(nearest.asset)
            if own is not None:
                self._use(nearest)
                return own
        return self._time_column(base)

    def _dates(self, base: str) -> list[DateRange]:
        column = self._time_column(base)
        anchor = self.schema.last_date(column.asset, column.column) if column else None
        taken = {k for r in self.roles.ids for k in range(r.start, r.end)} | self.roles.used
        return [d for d in find_dates(self.roles.tokens, anchor) if not any(k in taken for k in range(d.start, d.end))]

    def compares(self, base: str, draft) -> None:
        """Two columns of a row compared: "delivered after the estimated date", "late deliveries"."""
        for cue in self.roles.cue("late"):
            pair = self._late_pair(base)
            if pair is None:
                continue
            actual, due = pair
            self.roles.mark(cue.covers())
            for m in self.roles.mentions:
                if m.kind == "column" and (m.column in (actual.column, due.column)):
                    self._use(m)
            self._explain_delivery_words(len(self.roles.tokens))
            draft.compares.append(Compare(left=actual, op=cue.value, right=due))
            draft.notes.append(f"I read late as {actual.column} after {due.column}" if cue.value == ">" else
                               f"I read on time as {actual.column} on or before {due.column}")
            return
        self._explicit_compare(base, draft)

    def _explain_delivery_words(self, before: int) -> None:
        """"delivered late", "arrived after": the verb names the delivery date, not a status value."""
        for i in range(before):
            if root(self.roles.tokens[i].norm) in LATE_WORDS[0]:
                self.roles.mark(range(i, i + 1))
                for m in self.roles.mentions:
                    if m.kind == "column" and m.start == i and m.width == 1:
                        self._use(m)

    def _own_side(self, base: str, other: Placed) -> Placed | None:
        """The base's own date (or money) to compare with another asset's, when the question names only the
        other side."""
        info = self.schema.column(other.col.asset, other.col.column)
        if other.col.asset == base:
            return None
        if info.temporal:
            own = self._own_time(base)
        else:
            found = money_measure(self.schema, "sum", [base], derived=False)
            own = found[0].column if found is not None and found[1] == base else None
        return Placed(own, 0.5, None) if own is not None else None

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

    def _explicit_compare(self, base: str, draft) -> None:
        late = self._late_pair(base)
        for cue in self.roles.cue("compare"):
            if cue.start in self.roles.used or number_at(self.roles.tokens, cue.end) is not None:
                continue
            left = [m for m in self.roles.mentions if m.kind == "column" and m.end in (cue.start, cue.start - 1)]
            right = self.roles.after(cue.end, kinds=("column",), reach=5)
            b = self.column(right, base) if right else None
            named = self.column([m for m in left if m.how in ("name", "part", "head")], base, temporal=True)
            if late is not None and b is not None and b.col == late[1] and cue.value in (">", "<", ">=", "<=") \
                    and (named is None or named.col == late[0] or named.col == late[1]):
                # "arrived later than estimated", "delivered after the estimated date": the delivery date
                self._use(b.mention)
                self.roles.mark(cue.covers())
                for m in left:
                    self._use(m)
                self._explain_delivery_words(cue.start)
                draft.compares.append(Compare(left=late[0], op=cue.value, right=late[1]))
                draft.notes.append(f"I read the delivery date as {late[0].column}")
                continue
            if not right:
                continue
            a = self.column(left, base) if left else None
            if a is None and b is not None:  # "reviews written before the reviewer signed up": the base's own
                a = self._own_side(base, b)
            if a is None or b is None or a.col == b.col:
                continue
            ia, ib = self.schema.column(a.col.asset, a.col.column), self.schema.column(b.col.asset, b.col.column)
            if not (ia.temporal and ib.temporal or ia.numeric and ib.numeric):
                continue
            self._use(a.mention)
            self._use(b.mention)
            self.roles.mark(cue.covers())
            draft.compares.append(Compare(left=a.col, op=cue.value if cue.value != "=" else "=", right=b.col))

    # ---- records -------------------------------------------------------------------------------------------
    def _count_before_subject(self, base: str) -> int | None:
        """"show me 3 orders": a number right before the listed asset is how many rows."""
        tokens = self.roles.tokens
        for i, t in enumerate(tokens[1:], 1):  # "show 3 rows of users"
            n = number_at(tokens, i - 1)
            if t.norm in ("rows", "records", "lines", "entries", "examples") and isinstance(n, int) and 0 < n <= 1000:
                self.roles.mark(range(i - 1, i + 1))
                return n
        for m in self.roles.mentions:
            if m.kind == "asset" and m.asset == base and m.start > 0:
                n = number_at(self.roles.tokens, m.start - 1)
                if isinstance(n, int) and 0 < n <= 1000 and not _year_like(self.roles.tokens[m.start - 1]):
                    self.roles.mark(range(m.start - 1, m.start))
                    return n
        return None

    def lookups(self, base: str, draft, ids: list[IdRef]) -> None:
        for ref in ids:
            col = self._id_column(base, ref)
            if col is None:
                continue
            self.roles.mark(range(ref.start, ref.end))
            value = ref.value
            info = self.schema.column(col.asset, col.column)
            if info.type == "string":
                value = str(value)
            elif info.numeric and isinstance(value, str):
                continue
            draft.filters.append(Filter(column=col, op="=", value=value))

    def _id_column(self, base: str, ref: IdRef) -> Col | None:
        """The column an id is of: a column of the base the noun names, the base's key when the noun names
        the base, the base's column pointing to the asset named, else the column named elsewhere."""
        nouns = sorted(ref.nouns, key=lambda n: (not (n.kind == "column" and n.asset == base),
                                                 not (n.kind == "asset" and n.asset == base), n.kind == "column"))
        for noun in nouns:
            if noun.kind == "column":
                return Col(asset=noun.asset, column=noun.column)
            if noun.asset == base:
                key = self.schema.assets[base].key
                return Col(asset=base, column=key) if key else None
            key = self._key_towards(base, noun.asset)
            if key is not None:
                return key
        if not ref.nouns:
            key = self.schema.assets[base].key
            return Col(asset=base, column=key) if key else None
        return None

    def flags(self, base: str, draft) -> None:
        """"comedies", "returned orders" where a 0/1 column says so: the flag must be set."""
        for m in self.roles.mentions:
            if m.kind != "column" or m.how not in ("name", "part") or m.score < 0.8 or \
                    any(k in self.roles.used for k in range(m.start, m.end)):
                continue
            info = self.schema.column(m.asset, m.column)
            flag = info.type == "boolean" or info.numeric and info.minimum == 0 and info.maximum == 1 and \
                (info.distinct or 0) <= 2
            if flag and self.schema.path(base, m.asset) is not None:
                self._use(m)
                draft.filters.append(Filter(column=Col(asset=m.asset, column=m.column), op="=",
                                            value=True if info.type == "boolean" else 1))

    def related(self, base: str, draft) -> None:
        """An asset named only to say rows must have related rows there ("customers who placed orders",
        "products that were reviewed", "users who rated something"): an existence test, when a relationship
        links it to the base."""
        for m in self.roles.mentions:
            if m.asset == base or any(k in self.roles.used for k in range(m.start, m.end)):
                continue
            if m.kind == "column":
                route = self.schema.path(base, m.asset)
                if m.how == "name" and m.score >= 1.0 and route and route[0].fans_out and len(route) <= 2:
                    self._use(m)
                    draft.present.append(m.asset)
                continue
            if m.how not in ("name", "entity", "typo") or m.asset in draft.absent:
                continue
            if any(f.column.asset == m.asset for f in draft.filters) or any(
                    g.column.asset == m.asset for g in draft.groups):
                self._use(m)
                continue
            route = self.schema.path(base, m.asset)
            if route is not None and len(route) <= 2:
                self._use(m)
                if route[0].fans_out:
                    draft.present.append(m.asset)

    def listing(self, base: str, draft, choice: MeasureChoice | None) -> None:
        tokens = self.roles.tokens
        count = self._count_before_subject(base)
        if count is not None:
            draft.limit = draft.limit or count
        if choice is not None and choice.kind == "sort":
            draft.order_by = choice.measure.column
            draft.order = "asc" if choice.measure.agg == "min" else "desc"
            draft.limit = draft.limit or 1
        latest = [i for i, t in enumerate(tokens) if t.norm in ("latest", "last", "newest", "recent", "oldest",
                                                               "earliest", "first")]
        if latest and draft.order_by is None:
            column = self._time_column(base)
            if column is not None:
                word = tokens[latest[0]].norm
                draft.order_by = column
                draft.order = "asc" if word in ("oldest", "earliest", "first") else "desc"
                self.roles.mark(range(latest[0], latest[0] + 1))
                n = number_at(tokens, latest[0] + 1)
                draft.limit = draft.limit or (n if isinstance(n, int) else 1)
        selected = [m for m in self.roles.mentions if m.kind == "column" and not any(
            k in self.roles.used for k in range(m.start, m.end)) and m.how in ("name", "part", "head")]
        for m in selected:
            placed = self.column([m], base)
            if placed is not None and placed.score > 0.5 and placed.col not in draft.select:
                self._use(m)
                draft.select.append(placed.col)
        if draft.select:
            key = self.schema.assets[base].key
            lead = [f.column for f in draft.filters if f.op == "=" and f.column.asset == base
                    and f.column not in draft.select]  # "what did user 12 rate item 300": the ids, then the rating
            if not lead and key and Col(asset=base, column=key) not in draft.select:
                lead = [Col(asset=base, column=key)]
            draft.select[:0] = list(dict.fromkeys(lead))
