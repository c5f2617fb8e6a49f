"""Placing the records a question names: ids looked up, flags, related rows, plain listings, and counts per
subject ("customers with at least 8 orders")."""

from __future__ import annotations

from stocktake.tools.ask.cues import number_at
from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measure_spec import MeasureChoice
from stocktake.tools.ask.model import Col, Filter, Group, Having, Measure
from stocktake.tools.ask.place import POPULARITY, year_like
from stocktake.tools.ask.place_measure import MeasurePlacer
from stocktake.tools.ask.roles import IdRef
from stocktake.tools.ask.vocab import root


DATE_RANKS = frozenset({"latest", "newest", "recent", "oldest", "earliest"})


DETERMINERS = frozenset({"the", "this", "that", "a", "an", "their", "his", "her", "its", "my", "our"})
# What a verb is about when it is the row's own thing ("recommend the item"); only where no asset or column
# of the catalog is named so.
GENERIC_OBJECTS = frozenset(root(w) for w in ("item", "items", "product", "products", "it", "them", "article",
                                              "thing", "purchase", "one"))

class RecordPlacer(MeasurePlacer):
    """The Placer that also places the records a question names and the counts per subject."""

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
                self._object_of(m.end)
                draft.filters.append(Filter(column=Col(asset=m.asset, column=m.column), op="=",
                                            value=True if info.type == "boolean" else 1))

    def _object_of(self, after: int) -> None:
        """"recommend the item", "would buy it again": the thing a flag's verb is about is the row's own subject,
        when the word names nothing else."""
        tokens, i = self.roles.tokens, after
        while i < len(tokens) and tokens[i].norm in DETERMINERS:
            i += 1
        covered = {k for m in self.roles.mentions for k in range(m.start, m.end)}
        if i < len(tokens) and root(tokens[i].norm) in GENERIC_OBJECTS and i not in covered:
            self.roles.mark(range(after, i + 1))

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
