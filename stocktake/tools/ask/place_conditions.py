"""Placing a question's conditions on the catalog once its asset and measure are known: values, numbers, dates,
missing values, comparisons between columns, ids, flags, related rows and plain listings."""

from __future__ import annotations

from stocktake.tools.ask.cues import number_at
from stocktake.tools.ask.dates import DateRange, find_dates
from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measures import MeasureChoice, money_measure
from stocktake.tools.ask.model import FLIPPED, SECONDS, TIME_UNITS, Col, Compare, Filter, Group, Having, Measure
from stocktake.tools.ask.place import POPULARITY, Placed, Placer, c_range, year_like
from stocktake.tools.ask.roles import IdRef
from stocktake.tools.ask.text import FUNCTION_WORDS
from stocktake.tools.ask.vocab import root


DATE_RANKS = frozenset({"latest", "newest", "recent", "oldest", "earliest"})
# Adjectives that name a dimension: "taller than they are long" compares height with length.
DIMENSIONS = {"tall": "height", "taller": "height", "short": "height", "shorter": "height", "high": "height",
              "long": "length", "longer": "length", "wide": "width", "wider": "width", "narrow": "width",
              "narrower": "width", "heavy": "weight", "heavier": "weight", "light": "weight", "lighter": "weight",
              "deep": "depth", "deeper": "depth", "shallower": "depth", "weigh": "weight", "weighs": "weight",
              "weighing": "weight", "weighed": "weight"}
PERSON_WORDS = frozenset({"person", "older", "younger", "aged", "old", "young"})
PHRASE_ENDS = frozenset({"and", "or", "but", "than", "in", "on", "for", "with", "by", "from", "at", "to", "where",
                         "which", "that", "who", "when", "while", "during"})


# Words that place one date after or before another, and how many days each time unit is.
SIDE_WORDS = {"after": "after", "later": "after", "before": "before", "earlier": "before", "prior": "before"}
DAYS_IN = {word: SECONDS[unit] / SECONDS["days"] for word, unit in TIME_UNITS.items()} | {"month": 30.0, "months": 30.0}

class ConditionPlacer(Placer):
    """The Placer that also turns the question's conditions into filters, compares and havings on a draft."""

    def filters(self, base: str, draft, anchor) -> None:
        self._null_filters(base, draft)  # "dont have an aproval time": the column missing, not status 'approved'
        self._value_filters(base, draft)
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
                if m.kind == "column" and (m.start in (end, end + 1) or m.end in (start, start - 1)) \
                        and self._names_value_column(m, v):
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

    def _names_value_column(self, m: Mention, v: Mention) -> bool:
        """The column word next to a value is the value's own column, or one that names the same thing
        ("the health_beauty category": product_category_name beside its English translation)."""
        if m.column == v.column and m.asset == v.asset:
            return True
        words = {root(w) for w in self.schema.column(m.asset, m.column).words}
        return bool(words) and words <= {root(w) for w in self.schema.column(v.asset, v.column).words}

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
            targets = self.roles.at(cue.end) or self.roles.at(cue.end + 1) or self._before(cue.start)
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

    def _before(self, i: int) -> list[Mention]:
        """The column a trailing cue is said of: "descriptions are missing", "CustomerID blank"."""
        k = i - 1
        while k >= 0 and self.roles.tokens[k].norm in ("is", "are", "was", "were", "left", "still", "be"):
            k -= 1
        if k == i - 1 and k >= 0 and self.roles.tokens[k].norm in ("no", "not"):
            return []
        found = [m for m in self.roles.mentions if m.kind == "column" and m.end == k + 1]
        return sorted(found, key=lambda m: (-m.width, -m.score))

    def _compared(self, mention: Mention | None) -> bool:
        """"with a total over 500": the column is compared, not merely present."""
        return mention is not None and any(c.start in (mention.end, mention.end + 1)
                                           for c in self.roles.comparisons)

    def _number_filters(self, base: str, draft) -> None:
        for comp in self.roles.comparisons:
            if any(k in self.roles.used for k in range(comp.start, comp.end)):
                continue
            if self._having(base, draft, comp):
                continue
            placed = self.column(comp.target, base, numeric=True) if comp.target else None
            if placed is None:  # "heavier than 10 kg", "weighs more than 500"
                dimension = self._dimension(base, comp.start) or self._dimension(base, comp.start - 1)
                placed = self.column(dimension, base) if dimension else None
                if placed is not None:
                    self.roles.mark(range(placed.mention.start, placed.mention.end))
            if placed is None:
                placed = self._default_number_column(base, comp)
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
            named = [m for m in self.roles.mentions if m.kind == "column" and 0 < i - m.end + 1 <= 3
                     and not self.schema.column(m.asset, m.column).temporal]  # text, not the invoice date
            placed = self.column(named, base)
            if placed is None:
                continue
            self._use(placed.mention)
            self.roles.mark(range(i, at + 1))
            draft.filters.append(Filter(column=placed.col, op=op, value=tokens[at].text))
            self._defined_word(i, placed, draft)

    def _defined_word(self, i: int, placed: Placed, draft) -> None:
        """"cancelled invoices (the ones starting with C)": the question defines its word by the condition."""
        tokens = self.roles.tokens
        k = i - 1
        while k >= 0 and tokens[k].norm in ("the", "ones", "those", "ie", "i.e", "that", "which", "are", "is"):
            k -= 1
        if k == i - 1 or k < 0:  # no "the ones" / "those": an ordinary condition
            return
        noun = next((m for m in self.roles.mentions if m.end == k + 1 and m.kind in ("asset", "column")), None)
        before = (noun.start if noun else k + 1) - 1
        if before >= 0 and before not in self.roles.used and tokens[before].kind == "word" \
                and tokens[before].norm not in FUNCTION_WORDS:
            self.roles.mark([before, *range(k + 1, i)])
            draft.notes.append(f"I read “{tokens[before].text}” as {placed.col.column} "
                               f"{'starting with' if draft.filters[-1].op == 'startswith' else 'containing'} "
                               f"'{draft.filters[-1].value}', as the question defines it")

    def _having(self, base: str, draft, comp) -> bool:
        """"movies with at least 50 ratings", "customers with more than 5 orders": a number of related rows is a
        condition on each group (or, with no group asked for, the groups that meet it are counted)."""
        counted = [m for m in comp.target if m.kind == "asset"] or [
            m for m in self.roles.mentions if m.kind == "asset" and m.start in (comp.end, comp.end + 1)]
        if not counted or comp.op not in ("<", "<=", ">", ">=", "=", "!=") or not isinstance(comp.value, (int, float)):
            return False
        rows = next((m for m in counted if m.asset == base), None)
        if rows is None:
            return False
        if not draft.groups:
            measure = draft.measure.measure if draft.measure else None
            key = measure.column if measure is not None and measure.agg == "count_distinct" else self._group_key(base)
            if key is None or key.asset != base:
                return False
            draft.groups.append(Group(column=key))
            draft.count_groups = True
        self._use(rows)
        self.roles.mark(range(comp.start, comp.end))
        draft.having.append(Having(measure=Measure(agg="count"), op=comp.op, value=comp.value))
        return True

    def counted_per(self, subject: list[Mention]):
        """(base, group, having) for "customers with at least 8 orders" / "products ordered more than 15 times":
        a number of related rows per listed thing, where those rows point to it."""
        for comp in self.roles.comparisons:
            if comp.op not in ("<", "<=", ">", ">=", "=") or not isinstance(comp.value, (int, float)):
                continue
            before = [m for m in self.roles.mentions if m.kind == "asset" and m.end <= comp.start]
            if not before:
                continue
            listed = min(before, key=lambda m: (m.start, -m.score))
            after = [m for m in self.roles.mentions if m.kind == "asset" and m.start in (comp.end, comp.end + 1)
                     and m.asset != listed.asset]
            times = comp.end < len(self.roles.tokens) and self.roles.tokens[comp.end].norm in ("times", "time")
            verbs = {root(self.roles.tokens[k].norm) for k in range(listed.end, comp.start)}
            facts = sorted((e.child for e in self.schema.edges if e.parent == listed.asset
                            and self.schema.assets[e.child].kind in POPULARITY),
                           key=lambda c: (not verbs & set(self.schema.assets[c].entity),
                                          POPULARITY.index(self.schema.assets[c].kind)))
            children = [a.asset for a in after] or (facts if times else [])
            for child in children:
                edge = next((e for e in self.schema.edges if e.child == child and e.parent == listed.asset), None)
                if edge is None:
                    continue
                self._use(listed)
                for a in after:
                    self._use(a)
                self.roles.mark(range(comp.start, comp.end + (1 if times else 0)))
                return (child, Group(column=Col(asset=child, column=edge.child_column)),
                        Having(measure=Measure(agg="count"), op=comp.op, value=comp.value))
        return None

    def _group_key(self, base: str) -> Col | None:
        """What is counted when rows are grouped by the thing the question counts: the subject's key in base."""
        for m in self.subject():
            if m.asset != base:
                key = self._key_towards(base, m.asset)
                if key is not None and key.asset == base:
                    return key
        return None

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

    def _default_number_column(self, base: str, comp) -> Placed | None:
        """"orders over 100": the base's money column; "users over 50", "people under 25", "older than 30": a
        person's age."""
        age = next((c for c in self.schema.assets[base].columns if c.numeric and "age" in c.words), None)
        words = {root(t.norm) for t in self.roles.tokens}
        if age is not None and (self.schema.assets[base].kind == "users" or words & PERSON_WORDS):
            return Placed(Col(asset=base, column=age.name), 0.5, None)
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
            self.dated.update(range(d.start, d.end))
            low = d.low.isoformat() if d.low else None
            high = d.high.isoformat() if d.high else None
            if low and high:
                draft.filters.append(Filter(column=column, op="between", value=[low, high]))
            elif low:
                draft.filters.append(Filter(column=column, op=">=", value=low))
            elif high:
                draft.filters.append(Filter(column=column, op="<", value=high))
            draft.notes.append(f"dates: {d.text} ({column.column})")

    def _date_column(self, base: str, d: DateRange) -> Col | None:
        """The date a phrase is about: a date column named just before it ("delivered in 2018"), else the
        date of the asset named just before it ("placed an order in 2023"), else the base's own date."""
        before = [m for m in self.roles.mentions if m.end <= d.start and d.start - m.end <= 3]
        dated = [m for m in before if m.kind == "column" and self.schema.column(m.asset, m.column).temporal
                 and m.how in ("name", "part", "head") and m.score >= 0.5]  # "customers" is no delivery date
        placed = self.column(dated, base, temporal=True)
        if placed is not None:
            self._use(placed.mention)
            return placed.col
        # "orders in 2017": the word that names the base is not also the order items named
        base_words = {(m.start, m.end): m.score for m in before if m.kind == "asset" and m.asset == base}
        named = [m for m in before if m.kind == "asset" and m.asset != base and self.schema.path(base, m.asset)
                 and not any(s <= m.start and m.end <= e and score >= m.score for (s, e), score in base_words.items())]
        if named and not self.roles.cue("bucket"):  # "orders by month for 2017": the months' own dates
            nearest = max(named, key=lambda m: m.end)
            own = self._own_time(nearest.asset)
            if own is not None:
                self._use(nearest)
                return own
        return self._time_column(base)

    def _dates(self, base: str) -> list[DateRange]:
        column = self._time_column(base, use=False)  # only for the data's last day: "last month" of what
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

    def _comparand(self, start: int, reach: int = 6) -> list[Mention]:
        """The columns a comparison word compares with: the head of the noun phrase after it, so "above the
        product's current list price" is the price of products, not the product id."""
        tokens = self.roles.tokens
        heads: list[Mention] = []
        owner: str | None = None
        for j in range(start, min(len(tokens), start + reach + 1)):
            if heads and j < max(m.end for m in heads):
                continue  # inside the words a column already named: "estimated delivery date"
            here = self.roles.at(j, ("asset", "column"))
            if not here:
                if heads and tokens[j].norm in PHRASE_ENDS:
                    break
                continue
            owner = owner or next((m.asset for m in here if m.kind == "asset" and m.how == "name"), None)
            # "the estimated date": "date" only by meaning does not replace the column "estimated" named
            columns = [m for m in here if m.kind == "column" and not (heads and m.how == "meaning")]
            if columns:
                heads = columns
        if owner is not None and any(m.asset == owner for m in heads):
            heads = [m for m in heads if m.asset == owner]
        return heads

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

    def _dimension(self, base: str, i: int) -> list[Mention]:
        """The base's column for a dimension adjective at token ``i`` ("taller" -> product_height_cm)."""
        if i >= len(self.roles.tokens):
            return []
        noun = DIMENSIONS.get(self.roles.tokens[i].norm)
        columns = [c for c in self.schema.assets[base].columns if c.numeric and noun in c.words] if noun else []
        return [Mention("column", i, i + 1, 0.8, base, c.name, how="part") for c in columns[:1]]

    def _explicit_compare(self, base: str, draft) -> None:
        late = self._late_pair(base)
        self._offset_compares(base, draft)
        for cue in self.roles.cue("compare"):
            if cue.start in self.roles.used:
                continue
            factor, end = self._factor_at(cue.end)
            if factor == 1.0 and number_at(self.roles.tokens, cue.end) is not None:
                continue
            left = [m for m in self.roles.mentions if m.kind == "column" and m.end in (cue.start, cue.start - 1)]
            left = self._dimension(base, cue.start) or left  # "products are taller than": their height
            right = self._comparand(end) or next(filter(None, (self._dimension(base, j) for j in range(
                end, min(len(self.roles.tokens), end + 4)))), [])
            b = self.column(right, base) if right else self._row_itself(base, end)
            named = self.column([m for m in left if m.how in ("name", "part", "head")], base, temporal=True)
            said = {m.column for m in left if m.asset == base}
            if late is not None and b is not None and b.col == late[1] and cue.value in (">", "<", ">=", "<=") \
                    and (named is None or said & {late[0].column, late[1].column}):
                # "arrived later than estimated", "delivered after the estimated date": the delivery date
                self._use(b.mention)
                for m in self.roles.mentions:  # "the estimated date": every word of the due date
                    if m.column == late[1].column and m.asset == late[1].asset and cue.end <= m.start < cue.end + 6:
                        self._use(m)
                self.roles.mark(cue.covers())
                for m in left:
                    self._use(m)
                self._explain_delivery_words(cue.start)
                draft.compares.append(Compare(left=late[0], op=cue.value, right=late[1]))
                draft.notes.append(f"I read the delivery date as {late[0].column}")
                continue
            if b is None:
                continue
            # "freight cost more than the item itself": freight, "cost" being the verb, not the other side again
            others = [m for m in left if (m.asset, m.column) != (b.col.asset, b.col.column)]
            a = self.column(others, base) if others else None
            if a is None and b is not None:  # "reviews written before the reviewer signed up": the base's own
                a = self._own_side(base, b)
            if a is None or b is None or a.col == b.col:
                continue
            ia, ib = self.schema.column(a.col.asset, a.col.column), self.schema.column(b.col.asset, b.col.column)
            if not (ia.temporal and ib.temporal and factor == 1.0 or ia.numeric and ib.numeric):
                continue
            self._use(a.mention)
            self._use(b.mention)
            self.roles.mark(cue.covers(), range(cue.end, end), *[range(m.start, m.end) for m in left
                                                                 if a.mention and m.start >= a.mention.end])
            self.roles.mark([k for k in range(end, min(len(self.roles.tokens), end + 4))
                             if self.roles.tokens[k].norm in ("itself", "themselves")])
            draft.compares.append(Compare(left=a.col, op=cue.value, right=b.col, factor=factor))

    def _row_itself(self, base: str, i: int) -> Placed | None:
        """"freight more than the item itself": the row's own money, when the other side names the row."""
        named = any(m.kind == "asset" and m.asset == base and i <= m.start <= i + 2 for m in self.roles.mentions)
        itself = any(t.norm in ("itself", "themselves") for t in self.roles.tokens[i:i + 4])
        found = money_measure(self.schema, "sum", [base], derived=False) if named and itself else None
        if found is None or found[1] != base or found[0].column is None:
            return None
        return Placed(found[0].column, 0.6, next(m for m in self.roles.mentions if m.kind == "asset"
                                                  and m.asset == base and i <= m.start <= i + 2))

    def _factor_at(self, i: int) -> tuple[float, int]:
        """"half the item price", "twice the price", "3 times the", "50% of the": the multiple of the other
        side, and where that side starts."""
        tokens = self.roles.tokens
        norms = [t.norm for t in tokens[i:i + 3]] + ["", "", ""]
        words = {"half": 0.5, "twice": 2.0, "double": 2.0, "triple": 3.0, "thrice": 3.0, "third": 1 / 3,
                 "quarter": 0.25}
        lead = 1 if norms[0] in ("a", "one") and norms[1] in ("third", "quarter", "half") else 0
        if norms[lead] in words:
            end = i + lead + 1 + (norms[lead + 1] == "of")
            return words[norms[lead]], end
        n = number_at(tokens, i)
        if isinstance(n, (int, float)) and n > 0 and norms[1] in ("times", "x"):
            return float(n), i + 2
        if isinstance(n, (int, float)) and 0 < n and tokens[i].text.endswith("%") and norms[1] == "of":
            return n / 100.0, i + 2
        return 1.0, i

    def _offset_compares(self, base: str, draft) -> None:
        """"answered more than a week after they were sent", "shipped at least 3 days before the limit": the
        time between two dates of a row compared with a number of days."""
        tokens, cues = self.roles.tokens, self.roles.cue("compare")
        for cue in cues:
            if cue.start in self.roles.used or cue.value not in (">", ">=", "<", "<="):
                continue
            amount, unit_at = self._amount_at(cue.end)
            side = next((c for c in cues if c.start == unit_at + 1 and tokens[c.start].norm in SIDE_WORDS), None)
            if amount is None or side is None:
                continue
            left = self.column([m for m in self.roles.mentions if m.kind == "column" and m.end <= cue.start
                                and m.end >= cue.start - 2], base, temporal=True)
            right = self.column(self._comparand(side.end), base, temporal=True)
            if left is None and right is not None:
                left = self._own_side(base, right)
            if right is None and left is not None:  # "after they were sent": the row's own date
                own = self._own_time(left.col.asset)
                right = Placed(own, 0.5, None) if own is not None and own != left.col else None
            if left is None or right is None or left.col == right.col:
                continue
            before = SIDE_WORDS[tokens[side.start].norm] == "before"
            self._use(left.mention)
            self._use(right.mention)
            self.roles.mark(cue.covers(), side.covers(), range(cue.end, unit_at + 1))
            draft.compares.append(Compare(left=left.col, op=FLIPPED[cue.value] if before else cue.value,
                                          right=right.col, days=-amount if before else amount))

    def _amount_at(self, i: int) -> tuple[float | None, int]:
        """"a week", "7 days", "2 weeks", "48 hours" at token ``i``: in days, and the unit's token."""
        tokens = self.roles.tokens
        n = 1 if i < len(tokens) and tokens[i].norm in ("a", "an", "one") else number_at(tokens, i)
        unit = tokens[i + 1].norm if i + 1 < len(tokens) else ""
        if not isinstance(n, (int, float)) or unit not in DAYS_IN:
            return None, i
        return float(n) * DAYS_IN[unit], i + 1

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
                if isinstance(n, int) and 0 < n <= 1000 and not year_like(self.roles.tokens[m.start - 1]):
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
                value = ref.text or str(value)
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
            if info.flag and self.schema.path(base, m.asset) is not None:
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

    def _labels_of(self, col: Col) -> list[Col]:
        """"what category is product 3": beside Category ID, the Category Label that says it in words."""
        info = self.schema.column(col.asset, col.column)
        if not info.id_like or not info.words:
            return []
        return [Col(asset=col.asset, column=c.name) for c in self.schema.assets[col.asset].columns
                if c.name != col.column and c.words[:1] == info.words[:1] and not c.id_like and not c.numeric
                and not c.temporal]

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
                                                               "earliest", "first") and i not in self.dated]
        if latest and draft.order_by is None and not self.roles.sample:
            column = self._time_column(base)
            if column is None:  # "the 5 newest products" with no date to order them by: not understood
                self.roles.unplace(i for i in latest if tokens[i].norm in DATE_RANKS)
            else:
                word = tokens[latest[0]].norm
                draft.order_by = column
                draft.order = "asc" if word in ("oldest", "earliest", "first") else "desc"
                self.roles.mark(range(latest[0], latest[0] + 1))
                n = number_at(tokens, latest[0] + 1)
                draft.limit = draft.limit or (n if isinstance(n, int) else 1)
        selected = [m for m in self.roles.mentions if m.kind == "column" and not any(
            k in self.roles.used for k in range(m.start, m.end)) and m.how in ("name", "part", "head")]
        shown = []
        for m in sorted(selected, key=lambda m: (-m.width, -m.score)):  # "class name" before "class"
            if any(k in self.roles.used for k in range(m.start, m.end)):
                continue
            placed = self.column([m], base)
            if placed is not None and placed.score > 0.5 and placed.col not in draft.select:
                self._use(m)
                shown.append((m.start, placed.col))
                shown += [(m.start, label) for label in self._labels_of(placed.col)]
                # "price of pid X" where retail_price and discounted_price fit the word alike: both shown
                shown += [(m.start, Col(asset=t.asset, column=t.column)) for t in selected if t is not m
                          and (t.start, t.end, t.score, t.how, t.asset) == (m.start, m.end, m.score, m.how, m.asset)]
        draft.select.extend(dict.fromkeys(col for _, col in sorted(shown, key=lambda s: s[0])))
        if draft.select:
            key = self.schema.assets[base].key
            lead = [f.column for f in draft.filters if f.op == "=" and f.column.asset == base
                    and f.column not in draft.select]  # "what did user 12 rate item 300": the ids, then the rating
            if not lead and key and Col(asset=base, column=key) not in draft.select:
                lead = [Col(asset=base, column=key)]
            draft.select[:0] = list(dict.fromkeys(lead))
