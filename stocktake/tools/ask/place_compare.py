"""Placing comparisons between columns: "shipped after the estimated date", "taller than they are long",
"more than twice the freight", "at least 3 days late"."""

from __future__ import annotations

from stocktake.tools.ask.cues import number_at
from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measure_money import money_measure
from stocktake.tools.ask.model import FLIPPED, SECONDS, TIME_UNITS, Compare
from stocktake.tools.ask.place import Placed
from stocktake.tools.ask.place_records import RecordPlacer


# Adjectives that name a dimension: "taller than they are long" compares height with length.
DIMENSIONS = {"tall": "height", "taller": "height", "short": "height", "shorter": "height", "high": "height",
              "long": "length", "longer": "length", "wide": "width", "wider": "width", "narrow": "width",
              "narrower": "width", "heavy": "weight", "heavier": "weight", "light": "weight", "lighter": "weight",
              "deep": "depth", "deeper": "depth", "shallower": "depth", "weigh": "weight", "weighs": "weight",
              "weighing": "weight", "weighed": "weight"}
PHRASE_ENDS = frozenset({"and", "or", "but", "than", "in", "on", "for", "with", "by", "from", "at", "to", "where",
                         "which", "that", "who", "when", "while", "during"})
# Words that place one date after or before another, and how many days each time unit is.
SIDE_WORDS = {"after": "after", "later": "after", "before": "before", "earlier": "before", "prior": "before"}
DAYS_IN = {word: SECONDS[unit] / SECONDS["days"] for word, unit in TIME_UNITS.items()} | {"month": 30.0, "months": 30.0}


class ComparePlacer(RecordPlacer):
    """The Placer that also places comparisons between two columns of a row."""

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
