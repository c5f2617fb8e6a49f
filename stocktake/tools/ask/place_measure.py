"""Placing what a question measures on the catalog: a count of the rows it names, a column summed or averaged,
a measure derived from two columns, a duration, a rating, popularity."""

from __future__ import annotations

from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measure_money import money_assets, money_measure, quantity_measure
from stocktake.tools.ask.measure_spec import FACT_KINDS, QUANTITY_ROOTS, MeasureChoice, MeasureSpec
from stocktake.tools.ask.model import SECONDS, Col, Derived, Filter, Measure
from stocktake.tools.ask.place import Placed, POPULARITY
from stocktake.tools.ask.place_groups import GroupPlacer
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.vocab import PRICE_NAME_WORDS, QUANTITY_NAME_WORDS, root


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


class MeasurePlacer(GroupPlacer):
    """The Placer that also places the measure of a question."""

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
                self._explain_delivery_words(len(self.roles.tokens), values_before_nouns=False)
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
