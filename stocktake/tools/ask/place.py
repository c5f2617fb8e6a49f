"""Placing the parts of a question on the catalog: which asset the rows come from, which column each word means
given that asset (the one it has, else one a join reaches without counting rows twice), and which join.

Ambiguity is settled by the catalog, never by the order names happen to be listed in: a column in the asset
asked about beats one a join away, a short many-to-one join beats a long one or one that fans out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measures import (FACT_KINDS, QUANTITY_ROOTS, REVENUE_ROOTS, MeasureChoice, MeasureSpec,
                                          money_assets, money_measure, quantity_measure)
from stocktake.tools.ask.model import SECONDS, Col, Derived, Filter, Group, Measure
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.vocab import ID_NOUNS, PRICE_NAME_WORDS, QUANTITY_NAME_WORDS, root

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

    def summed_before_group(self, base: str) -> MeasureChoice | None:
        """"payment value per month", "freight_value by seller": money or units named before the grouping are
        added up (a rating or a date named there only says which rows are counted)."""
        first_group = min((c.start for c in self.roles.cue("group")), default=len(self.roles.tokens))
        for m in sorted(self.roles.mentions, key=lambda m: (-m.width, -m.score)):
            if m.kind != "column" or m.asset != base or m.end > first_group or m.how not in ("name", "part") \
                    or m.score < 0.8:
                continue
            info = self.schema.column(m.asset, m.column)
            said = {self.roles.tokens[k].norm for k in range(m.start, m.end)}  # "payments per type" counts them
            words = set(info.words) & said if m.how == "part" else set(info.words)
            if info.numeric and not info.id_like and (words & (PRICE_NAME_WORDS - {"payment"}) or
                                                      words & QUANTITY_NAME_WORDS):
                self._use(m)
                measure = Measure(agg="sum", column=Col(asset=base, column=m.column))
                return MeasureChoice(measure, (), 0.8, (f"I read {m.column} with no measure word as its total",))
        return None

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

    def main_measure(self, asset: str, agg: str) -> MeasureChoice | None:
        """"whats their average": the table's rating, else its money, else its quantity; "the total for those":
        its money, else its quantity (a total of ratings means nothing)."""
        info = self.schema.assets[asset]
        for semantic in ("price", "quantity") if agg == "sum" else ("rating", "price", "quantity"):
            c = next((c for c in info.columns if c.semantic == semantic and c.numeric and not c.id_like), None)
            if c is not None:
                note = f"I read the measure as {c.name}"
                return MeasureChoice(Measure(agg=agg, column=Col(asset=asset, column=c.name)), (), 0.7, (note,))
        return None

    def _only_asset(self) -> str | None:
        if len(self.schema.assets) == 1:  # one table in the catalog: the question is about it
            return next(iter(self.schema.assets))
        columns = {m.asset for m in self.roles.mentions if m.kind == "column" and m.how in ("name", "part")}
        columns |= {m.asset for m in self.roles.values}
        return next(iter(columns)) if len(columns) == 1 else None

    def _count(self, spec: MeasureSpec, subject: list[str]) -> tuple[str | None, MeasureChoice | None]:
        own = [m for m in spec.target if m.asset == self.tabled]
        # "how many categories are in the translation table": what that table holds, not another's column
        target = _counted_target(own or spec.target, self.schema)
        through = self._through_child(spec, target)
        if through is not None:
            return through
        if spec.agg == "count_distinct" and target is not None:
            others = [m.asset for m in self.roles.mentions if m.kind == "asset" and m.asset != target.asset
                      and m.start > target.end]
            placed = self.column(spec.target, others[0] if others else None, counted=True)
            if placed is not None:
                self._use(placed.mention)
                return placed.col.asset, MeasureChoice(Measure(agg="count_distinct", column=placed.col),
                                                       spec.tokens, placed.score, ())
        if target is not None and target.kind == "column" and (target.how in ("part", "name") or not subject):
            self._use(target)
            info = self.schema.column(target.asset, target.column)
            col = Col(asset=target.asset, column=target.column)
            if spec.agg == "share" and info.flag:  # "what share of reviewers recommend": the flag is set
                part = Filter(column=col, op="=", value=True if info.type == "boolean" else 1)
                return target.asset, MeasureChoice(Measure(agg="share", part=(part,)), spec.tokens, target.score, ())
            if spec.agg != "share" and (info.id_like or info.semantic in ("category", "geo", "text", "other",
                                                                          "email", "phone")):
                # "how many customers" where customers are only a CustomerID column of the lines table
                return target.asset, MeasureChoice(Measure(agg="count_distinct", column=col), spec.tokens,
                                                   target.score, ())
            # "how many ratings": the rows that hold a rating
            agg = "share" if spec.agg == "share" else "count"
            return target.asset, MeasureChoice(Measure(agg=agg), spec.tokens, target.score, ())
        times = any(self.roles.tokens[i].norm in ("times", "time") for i in spec.tokens if i is not None)
        if times and target is None:  # "how many times did user 12 order": the orders, not the users
            named = [m.asset for m in sorted(self.roles.mentions, key=lambda m: -m.score) if m.kind == "asset"]
            subject = sorted(dict.fromkeys(subject + named), key=lambda a: self.schema.assets[a].kind not in FACT_KINDS)
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
        # the right side orients the left: "price divided by quantity" of a line is its unit price
        timed = dict(temporal=True) if op in SECONDS else dict(numeric=True)  # "hours between purchase and approval"
        oriented = self.column(right, subject[0] if subject else None, **timed)
        a = self.column(left, oriented.col.asset if oriented else (subject[0] if subject else None), **timed) \
            or self._time_of(left, op)
        b = self.column(right, a.col.asset if a else None, **timed) or self._time_of(right, op)
        if op in SECONDS and a is not None and a.mention is not None and \
                root(self.roles.tokens[a.mention.start].norm) in ("deliver", "arriv", "receiv"):
            pair = self._late_pair(a.col.asset)  # "to delivery": delivered to the customer, not to the carrier
            a = Placed(pair[0], a.score, a.mention) if pair is not None and pair[0].asset == a.col.asset else a
        if a is None or b is None or self.schema.path(a.col.asset, b.col.asset) is None:
            return (subject[0] if subject else None), None
        self._use(a.mention)
        self._use(b.mention)
        derived = Derived(name=spec.name or "", op=op, left=a.col, right=b.col)
        derived = derived.model_copy(update={"name": spec.name or derived.formula})
        measure = Measure(agg=spec.agg, derived=derived)
        return a.col.asset, MeasureChoice(measure, spec.tokens, 0.9, ())

    def _time_of(self, mentions, op: str) -> Placed | None:
        """"between purchase and approval" where a purchase is an order: the order's own date."""
        asset = next((m for m in mentions if m.kind == "asset"), None) if op in SECONDS else None
        own = self._own_time(asset.asset) if asset is not None else None
        return Placed(own, asset.score, asset) if own is not None else None

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
                measure = Measure(agg=spec.agg, derived=Derived(name=f"delivery {spec.unit}", op=spec.unit,
                                                                left=pair[0], right=start))
                self._explain_delivery_words(len(self.roles.tokens))
                note = f"I read the delivery time as {spec.unit} from {start.column} to {pair[0].column}"
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
        units = [i for i, t in enumerate(self.roles.tokens) if root(t.norm) in QUANTITY_ROOTS]
        counted = quantity_measure(self.schema, "sum", [base]) if units else None
        if counted is not None:  # "best selling products by units": the units sold, not the order lines
            self.roles.mark(units)
            return base, MeasureChoice(counted[0], (*spec.tokens, *units), 0.8, (counted[2],))
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

    # ---- groups --------------------------------------------------------------------------------------------
    def groups(self, base: str, spec: MeasureSpec | None) -> list[Group]:
        out: list[Group] = []
        if spec is not None and spec.kind in ("most", "distribution") and spec.group and spec.group != ("who",):
            placed = self.group_column(spec.group, base)
            if placed is not None:
                self._use(placed.mention)
                # "what day had the most purchases": the day of the date, not each timestamp
                bucket = next((c for c in self.roles.cue("bucket") if c.start == placed.mention.start), None)
                if bucket is None or not self.schema.column(placed.col.asset, placed.col.column).temporal:
                    out.append(Group(column=placed.col))
                else:
                    self.roles.mark(bucket.covers())
                    out.append(Group(column=placed.col, bucket=bucket.value))
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

    def thing_sold(self, base: str) -> Group | None:
        """What a best seller is: the product a line points to, or the lines' own product code."""
        products = [a for a in self.schema.assets.values() if a.kind == "products" and a.name != base]
        for asset in products:
            key = self._key_towards(base, asset.name)
            if key is not None and self.schema.path(base, key.asset) is not None:
                return Group(column=key)
        own = next((c for c in self.schema.assets[base].columns if c.id_like and c.words
                    and c.words[0] in ID_NOUNS and "product" in ID_NOUNS[c.words[0]]), None)
        return Group(column=Col(asset=base, column=own.name)) if own is not None else None

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
        at = cue.end
        while at + 1 < len(self.roles.tokens) and self.roles.tokens[at].norm in ("total", "overall", "avg", "average"):
            at += 1  # "by total spend"
        word = root(self.roles.tokens[at].norm)
        ranked = self.roles.limit is not None or bool(self.roles.cue("most"))
        if ranked and word in REVENUE_ROOTS | QUANTITY_ROOTS | {root("number"), root("count"), "#"}:
            self.roles.mark(cue.covers(), range(cue.end, at + 1))
            return True
        return False

    def _own_rows(self, targets: list[Mention], base: str) -> bool:
        """The group names the base's own rows: "per item" of order items, "per order" of orders."""
        widest = max((t.width for t in targets), default=0)
        assets = sorted((t for t in targets if t.kind == "asset" and t.width == widest), key=lambda t: -t.score)
        if not assets or any(t.kind == "column" and t.width > widest and t.how == "name" for t in targets):
            return False
        if any(t.kind == "column" and t.how == "name" and t.asset == base and t.score >= assets[0].score
               and self.schema.column(base, t.column).semantic not in ("identifier", "foreign_key") for t in targets):
            return False  # "ratings per rating" of ratings: per value of its rating column
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
        before = self.roles.tokens[cue.start - 1].norm if cue.start else ""
        if before in ("which", "what", "busiest", "quietest"):  # "which hour has the most events"
            return True
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

    def _explain_delivery_words(self, before: int) -> None:
        """"delivered late", "arrived after": the verb names the delivery date, not a status value."""
        for i in range(before):
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
