"""Placing how a question groups its rows: by a column it names, by the thing ranked ("top 5 products"),
by what was sold, by a time bucket."""

from __future__ import annotations

from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measure_spec import QUANTITY_ROOTS, REVENUE_ROOTS, MeasureSpec
from stocktake.tools.ask.model import Col, Group
from stocktake.tools.ask.place import Placer
from stocktake.tools.ask.vocab import ID_NOUNS, root


class GroupPlacer(Placer):
    """The Placer that also places the groups of a question."""

    # ---- groups --------------------------------------------------------------------------------------------
    def groups(self, base: str, spec: MeasureSpec | None) -> list[Group]:
        out = self._measure_groups(base, spec)
        for cue in self.roles.cue("group"):
            if cue.start in self.roles.used or self._id_follows(cue.end) or self._agent(cue) or self._by_measure(cue):
                continue
            group = self._group_after(base, cue, out)
            if group is not None:
                out.append(group)
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

    def _measure_groups(self, base: str, spec: MeasureSpec | None) -> list[Group]:
        """The group a measure names itself: "which X has the most Y" groups by X, "who spent most" by person."""
        if spec is not None and spec.group == ("who",):
            placed = self._who(base)
            return [Group(column=placed)] if placed is not None else []
        if spec is None or spec.kind not in ("most", "distribution") or not spec.group:
            return []
        placed = self.group_column(spec.group, base)
        if placed is None:
            return []
        self._use(placed.mention)
        # "what day had the most purchases": the day of the date, not each timestamp
        bucket = next((c for c in self.roles.cue("bucket") if c.start == placed.mention.start), None)
        if bucket is None or not self.schema.column(placed.col.asset, placed.col.column).temporal:
            return [Group(column=placed.col)]
        self.roles.mark(bucket.covers())
        return [Group(column=placed.col, bucket=bucket.value)]

    def _group_after(self, base: str, cue, out: list[Group]) -> Group | None:
        """"per month", "by category", "across all reviews" (no group), "per item" of a table of items (per row)."""
        bucket = self._bucket_at(cue.end)
        if bucket is not None:
            column = self._time_column(base)
            if column is None:
                return None
            self.roles.mark(range(cue.start, cue.end + 1))
            return Group(column=column, bucket=bucket)
        if cue.end < len(self.roles.tokens) and self.roles.tokens[cue.end].norm in ("all", "every", "any"):
            self.roles.mark(cue.covers())  # "across all reviews": over all of them, no groups
            return None
        targets = self.roles.at(cue.end) or self.roles.at(cue.end + 1)
        if self._own_rows(targets, base):  # "median freight per item" of a table of items: per row
            self.roles.mark(cue.covers(), *[range(t.start, t.end) for t in targets])
            return None
        placed = self.group_column(targets, base) if targets else None
        if placed is None or any(g.column == placed.col for g in out):
            return None
        self._use(placed.mention)
        self.roles.mark(cue.covers())
        return Group(column=placed.col)

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
