"""Placing a question's conditions on the catalog once its asset and measure are known: values, numbers, dates
and missing values; comparisons (place_compare) and records (place_records) are the layers below."""

from __future__ import annotations

from stocktake.tools.ask.cues import number_at
from stocktake.tools.ask.dates import DateRange, find_dates
from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measure_money import money_measure
from stocktake.tools.ask.model import Col, Filter
from stocktake.tools.ask.place import Placed, c_range
from stocktake.tools.ask.place_compare import ComparePlacer
from stocktake.tools.ask.text import FUNCTION_WORDS
from stocktake.tools.ask.vocab import root


PERSON_WORDS = frozenset({"person", "older", "younger", "aged", "old", "young"})


class ConditionPlacer(ComparePlacer):
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
