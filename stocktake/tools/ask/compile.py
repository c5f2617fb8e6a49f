"""A query plan as DuckDB SQL: identifiers quoted, every value a bound parameter, joins along known relationships.

Joins go from the plan's asset to each other asset it names along the shortest path of relationships (at
most three hops). Many-to-one hops join directly (no row is counted twice). A condition on an asset that is
only reachable by fanning out (orders -> order_items) becomes an ``EXISTS`` test, so each row still counts once;
grouping across a fan-out counts distinct rows of the plan's asset by its key.
"""

from __future__ import annotations

from dataclasses import dataclass

from stocktake.errors import StocktakeError
from stocktake.tools.ask.model import SECONDS, Col, Filter, Group, Measure, QueryPlan
from stocktake.tools.ask.schema import Hop, SchemaIndex

BUCKET_FORMATS = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
DEFAULT_ROWS = 20


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple
    labels: tuple[str, ...]  # the group (or listed) columns of the result, in order
    measures: tuple[str, ...]  # the measure columns of the result, in order
    dropped: tuple[str, ...] = ()  # what inner joins leave out, in words
    sources: tuple[tuple[str, str] | None, ...] = ()  # the (asset, column) each result column shows, if one


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Builder:
    def __init__(self, plan: QueryPlan, schema: SchemaIndex):
        self.plan, self.schema = plan, schema
        self.params: list = []
        self.aliases: dict[tuple, str] = {(): "t0"}
        self.joins: list[str] = []
        self.exists: list[str] = []
        self.fanned = False
        self.dropped: list[str] = []

    def bind(self, value) -> str:
        self.params.append(value)
        return "?"

    # ---- joins -----------------------------------------------------------------------------------------
    def path(self, asset: str) -> tuple[Hop, ...]:
        route = self.schema.path(self.plan.asset, asset)
        if route is None:
            raise StocktakeError(f"No known relationship links {self.plan.asset} to {asset} (within three joins); "
                                 "ask about one of them, or see `stocktake relations`.")
        return route

    def ref(self, col: Col, joinable: bool = True) -> str:
        """The column as ``alias."name"``, joining its asset in when needed."""
        if col.asset == self.plan.asset:
            return f't0.{quote(col.column)}'
        route = self.path(col.asset)
        if any(h.fans_out for h in route):
            if not joinable:
                raise _FansOut(route)
            self.fanned = True
        return f'{self._join(route)}.{quote(col.column)}'

    def typed_ref(self, col: Col) -> str:
        """The column as a value to compare or subtract: dates kept as text (mixed formats) read as timestamps,
        NULL where a value is not a date."""
        ref = self.ref(col)
        info = self.schema.column(col.asset, col.column)
        return f"TRY_CAST({ref} AS TIMESTAMP)" if info.temporal and info.type == "string" else ref

    def _join(self, route: tuple[Hop, ...]) -> str:
        alias = "t0"
        for i in range(1, len(route) + 1):
            key = tuple((h.edge, h.forward) for h in route[:i])
            if key not in self.aliases:
                hop = route[i - 1]
                new = f"t{len(self.aliases)}"
                near, far = ((hop.edge.child_column, hop.edge.parent_column) if hop.forward
                             else (hop.edge.parent_column, hop.edge.child_column))
                self.joins.append(f"JOIN {self._joined(hop)} AS {new} ON {alias}.{quote(near)} = {new}.{quote(far)}")
                self.aliases[key] = new
                if hop.forward and hop.edge.orphans:
                    self.dropped.append(f"{hop.edge.orphans:,} rows of {hop.edge.child} whose {hop.edge.child_column} "
                                        f"has no match in {hop.edge.parent}")
            alias = self.aliases[key]
        return alias

    def _joined(self, hop: Hop) -> str:
        """The table a hop joins; a parent whose key repeats because whole rows were copied is joined without
        the copies, so no child row is counted twice (key values that still repeat are said)."""
        if not hop.forward:
            return quote(hop.target)
        repeats, conflicting = self.schema.key_repeats(hop.edge.parent, hop.edge.parent_column)
        if not repeats:
            return quote(hop.target)
        if conflicting:
            self.dropped.append(f"{hop.edge.parent}.{hop.edge.parent_column} repeats on rows that differ, so some "
                                f"{hop.edge.child} rows are counted once per repeat")
        else:
            self.dropped.append(f"exact copies of rows in {hop.edge.parent} are left out of the join")
        # only the columns the plan uses: a personal column read here for nothing would mask the whole answer
        needed = self._columns_used(hop.target)
        columns = [c.name for c in self.schema.assets[hop.target].columns if c.name in needed]
        return f"(SELECT DISTINCT {', '.join(map(quote, columns)) or '*'} FROM {quote(hop.target)})"

    def _columns_used(self, asset: str) -> set[str]:
        """The columns of ``asset`` the plan names, and its keys on any relationship (the joins go through them)."""
        found: set[str] = set()

        def walk(node) -> None:
            if isinstance(node, dict):
                if node.get("asset") == asset and isinstance(node.get("column"), str):
                    found.add(node["column"])
                for v in node.values():
                    walk(v)
            elif isinstance(node, (list, tuple)):
                for v in node:
                    walk(v)

        walk(self.plan.model_dump())
        for e in self.schema.edges:
            found |= {e.child_column} if e.child == asset else set()
            found |= {e.parent_column} if e.parent == asset else set()
        return found

    # ---- conditions ------------------------------------------------------------------------------------
    def condition(self, f: Filter, ref: str) -> str:
        info = self.schema.column(f.column.asset, f.column.column)
        cast = {"date": "::DATE", "timestamp": "::TIMESTAMP"}.get(info.type, "")
        if info.type == "string" and info.temporal:
            ref, cast = f"TRY_CAST({ref} AS TIMESTAMP)", "::TIMESTAMP"
        if info.separator and f.op in ("=", "!=", "in", "not_in"):  # "comedies" in "Comedy|Drama"
            items = f"string_split({ref}, '{info.separator}')"
            values = f.value if f.op in ("in", "not_in") else [f.value]
            test = f"list_has_any({items}, [{', '.join(self.bind(v) for v in values)}])"
            return f"NOT coalesce({test}, false)" if f.op in ("!=", "not_in") else test
        if f.op == "is_null":
            return f"{ref} IS NULL"
        if f.op == "not_null":
            return f"{ref} IS NOT NULL"
        if f.op in ("in", "not_in"):
            values = ", ".join(self.bind(v) + cast for v in f.value)
            return f"{ref} {'NOT IN' if f.op == 'not_in' else 'IN'} ({values})"
        if f.op in ("between", "outside"):
            low, high = f.value
            # numbers: both ends in ("between 1 and 5"); dates: [start, end) as the date phrases give them
            upper = "<=" if isinstance(high, (int, float)) else "<"
            test = f"({ref} >= {self.bind(low)}{cast} AND {ref} {upper} {self.bind(high)}{cast})"
            return test if f.op == "between" else f"NOT {test}"
        if f.op == "contains":
            return f"contains(lower(CAST({ref} AS VARCHAR)), lower({self.bind(str(f.value))}))"
        if f.op == "startswith":
            return f"starts_with(CAST({ref} AS VARCHAR), {self.bind(str(f.value))})"
        return f"{ref} {f.op} {self.bind(f.value)}{cast}"

    def where(self) -> list[str]:
        conds = []
        pending: dict[tuple, list[Filter]] = {}
        for f in self.plan.filters:
            try:
                conds.append(self.condition(f, self.ref(f.column, joinable=False)))
            except _FansOut as fan:
                pending.setdefault(fan.route, []).append(f)
        for route, filters in pending.items():
            conds.append(self._exists(route, filters))
        for c in self.plan.compares:
            left, right = self.typed_ref(c.left), self.typed_ref(c.right)
            if c.days:
                conds.append(f"(epoch({left}) - epoch({right})) {c.op} {self.bind(c.days * 86400.0)}")
            elif c.factor != 1.0:
                conds.append(f"{left} {c.op} {self.bind(c.factor)} * {right}")
            else:
                conds.append(f"{left} {c.op} {right}")
        for asset, negate in [(a, True) for a in self.plan.absent] + [(a, False) for a in self.plan.present]:
            test = self._exists(self.path(asset), [])
            conds.append(f"NOT {test}" if negate else test)
        return conds

    def _exists(self, route: tuple[Hop, ...], filters: list[Filter]) -> str:
        """Rows of the plan's asset with at least one related row (along ``route``) meeting ``filters``."""
        parts, alias = [], "t0"
        for i, hop in enumerate(route):
            new = f"e{len(self.exists)}_{i}"
            near, far = ((hop.edge.child_column, hop.edge.parent_column) if hop.forward
                         else (hop.edge.parent_column, hop.edge.child_column))
            parts.append((quote(hop.target), new, f"{alias}.{quote(near)} = {new}.{quote(far)}"))
            alias = new
        tables = ", ".join(f"{t} AS {a}" for t, a, _ in parts)
        conds = [c for _, _, c in parts] + [self.condition(f, f"{alias}.{quote(f.column.column)}") for f in filters]
        if not route:
            raise StocktakeError("A condition on related rows needs a relationship between the two assets.")
        self.exists.append(tables)
        return f"EXISTS (SELECT 1 FROM {tables} WHERE {' AND '.join(conds)})"

    # ---- select list -----------------------------------------------------------------------------------
    def group_expr(self, g: Group) -> tuple[str, str, str]:
        """(expression, label, sort expression) of a group."""
        ref = self.ref(g.column)
        info = self.schema.column(g.column.asset, g.column.column)
        if g.bucket is None and info.separator:  # each value a list holds is a group of its own
            alias = f"u{len(self.joins)}"
            self.joins.append(f"CROSS JOIN unnest(string_split({ref}, '{info.separator}')) AS {alias}(v)")
            return f"{alias}.v", g.column.column, f"{alias}.v"
        if g.bucket is None:
            return ref, g.column.column, ref
        if self.schema.column(g.column.asset, g.column.column).type == "string":
            ref = f"TRY_CAST({ref} AS TIMESTAMP)"
        if g.bucket in BUCKET_FORMATS:
            expr = f"strftime(date_trunc('{g.bucket}', {ref}), '{BUCKET_FORMATS[g.bucket]}')"
            return expr, g.bucket if g.bucket != "week" else "week starting", expr
        if g.bucket == "quarter":
            expr = f"CAST(year({ref}) AS VARCHAR) || '-Q' || CAST(quarter({ref}) AS VARCHAR)"
            return expr, "quarter", expr
        if g.bucket == "hour":
            return f"hour({ref})", "hour", f"hour({ref})"
        return f"dayname({ref})", "weekday", f"isodow({ref})"

    def measure_expr(self, m: Measure) -> str:
        if m.agg == "share":
            if self.plan.group_by:
                return "100.0 * COUNT(*) / SUM(COUNT(*)) OVER ()"
            if not m.part:
                raise StocktakeError("A share needs groups or the condition that defines the part.")
            part = " AND ".join(self.condition(f, self.ref(f.column, joinable=False)) for f in m.part)
            return f"100.0 * COUNT(*) FILTER (WHERE {part}) / NULLIF(COUNT(*), 0)"
        if m.agg == "count":
            expr = self._count_rows()
        else:
            value = self._value(m)
            func = {"count_distinct": "COUNT(DISTINCT {})", "sum": "SUM({})", "mean": "AVG({})",
                    "median": "MEDIAN({})", "min": "MIN({})", "max": "MAX({})"}[m.agg]
            expr = func.format(value)
        if m.per is not None:
            expr = f"{expr} / NULLIF(COUNT(DISTINCT {self.ref(m.per)}), 0)"
        return expr

    def _count_rows(self) -> str:
        if not self.fanned:
            return "COUNT(*)"
        key = self.schema.assets[self.plan.asset].key
        if key is None:
            raise StocktakeError(f"Counting {self.plan.asset} across a one-to-many join needs a key column, and "
                                 f"{self.plan.asset} has none.")
        return f"COUNT(DISTINCT t0.{quote(key)})"

    def _value(self, m: Measure) -> str:
        if self.fanned and m.agg != "count_distinct":
            raise StocktakeError(f"A {m.agg} over {self.plan.asset} grouped by a one-to-many relationship would add "
                                 "rows more than once; ask it of the related asset instead.")
        if m.derived is not None:
            d = m.derived
            if d.op in SECONDS:
                return f"((epoch({self.typed_ref(d.left)}) - epoch({self.typed_ref(d.right)})) / {SECONDS[d.op]:.1f})"
            right = self.ref(d.right) if d.op != "/" else f"NULLIF({self.ref(d.right)}, 0)"
            return f"({self.ref(d.left)} {d.op} {right})"
        return self.ref(m.column)



class _FansOut(Exception):
    def __init__(self, route):
        super().__init__("fans out")
        self.route = route


def measure_name(m: Measure) -> str:
    """The result column of a measure: "count", "total revenue", "average review_score", "percent"."""
    target = m.derived.name if m.derived else (m.column.column if m.column else "")
    name = {"count": "count", "count_distinct": f"distinct {target}", "sum": f"total {target}",
            "mean": f"average {target}", "median": f"median {target}", "min": f"lowest {target}",
            "max": f"highest {target}", "share": "percent"}[m.agg]
    return f"{name} per {m.per.column}" if m.per is not None else name


def compile_plan(plan: QueryPlan, schema: SchemaIndex, default_rows: int = DEFAULT_ROWS) -> Compiled:
    for col in plan.columns():
        schema.column(col.asset, col.column)  # every column exists (KeyError otherwise)
    if plan.asset not in schema.assets:
        raise StocktakeError(f"No asset named '{plan.asset}'.")
    b = _Builder(plan, schema)
    if not plan.measures:
        return _rows(plan, b, default_rows)
    groups = [b.group_expr(g) for g in plan.group_by]
    measures = [(b.measure_expr(m), measure_name(m)) for m in plan.measures]
    if groups and [m.agg for m in plan.measures] == ["count"] and plan.measures[0].per is None:
        # rows per group come with their share of all rows (before a top N cuts the list)
        measures.append(("100.0 * COUNT(*) / SUM(COUNT(*)) OVER ()", "percent"))
    where = b.where()
    select = [f"{e} AS {quote(label)}" for e, label, _ in groups] + [f"{e} AS {quote(n)}" for e, n in measures]
    sql = f"SELECT {', '.join(select)} FROM {quote(plan.asset)} AS t0"
    sql += "".join(f" {j}" for j in b.joins)
    if where:
        sql += " WHERE " + " AND ".join(where)
    if groups:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(groups)))
        if plan.having:
            sql += " HAVING " + " AND ".join(f"{b.measure_expr(h.measure)} {h.op} {b.bind(h.value)}"
                                             for h in plan.having)
        if plan.count_groups:  # "how many customers have more than 5 orders": the groups, counted
            label = groups[0][1]
            sql = f"SELECT COUNT(*) AS {quote('number of ' + label + ' values')} FROM ({sql}) AS g"
            return Compiled(sql, tuple(b.params), (), (f"number of {label} values",), tuple(dict.fromkeys(b.dropped)),
                            (None,))
        sql = _group_order(plan, sql, groups, measures)
    sources = [(g.column.asset, g.column.column) for g in plan.group_by] + [
        (m.column.asset, m.column.column) if m.column is not None and m.agg in ("min", "max") else None
        for m in plan.measures]
    sources += [None] * (len(measures) - len(plan.measures))  # the percent column
    return Compiled(sql, tuple(b.params), tuple(label for _, label, _ in groups), tuple(n for _, n in measures),
                    tuple(dict.fromkeys(b.dropped)), tuple(sources))


def _group_order(plan: QueryPlan, sql: str, groups, measures) -> str:
    """Groups in time order for a timeline, else by the first measure; a top-N keeps the ties at its cut (the
    fifth and sixth best with the same count are both in the top five)."""
    timeline = any(g.bucket for g in plan.group_by)
    if plan.order is None and timeline and not plan.limit:
        return sql + " ORDER BY " + ", ".join(sort for _, _, sort in groups)
    first = quote(measures[0][1])
    direction = "ASC" if plan.order == "asc" else "DESC"
    labels = ", ".join(quote(label) for _, label, _ in groups)
    if plan.limit:  # a ranking of groups ranks named ones: the rows without a brand are no brand
        named = " AND ".join(f"{quote(label)} IS NOT NULL" for _, label, _ in groups)
        # the inner columns by name: ``*`` over a subquery reads, for the PII guard, every column below it
        outer = ", ".join(quote(name) for name in [label for _, label, _ in groups] + [n for _, n in measures])
        return (f"SELECT {outer} FROM ({sql}) AS g WHERE {named} QUALIFY rank() OVER (ORDER BY {first} {direction} "
                f"NULLS LAST) <= {int(plan.limit)} ORDER BY {first} {direction} NULLS LAST, {labels}")
    return f"{sql} ORDER BY {first} {direction} NULLS LAST, " + ", ".join(sort for _, _, sort in groups)


def _rows(plan: QueryPlan, b: _Builder, default_rows: int) -> Compiled:
    if plan.select:
        cols = [(b.ref(c), c.column if c.asset == plan.asset else f"{c.asset}.{c.column}") for c in plan.select]
        select = ", ".join(f"{ref} AS {quote(name)}" for ref, name in cols)
        labels = tuple(name for _, name in cols)
        sources = tuple((c.asset, c.column) for c in plan.select)
    else:
        info = b.schema.assets[plan.asset]
        select, labels = "t0.*", tuple(c.name for c in info.columns)
        sources = tuple((plan.asset, name) for name in labels)
    where = b.where()
    order = ""
    if plan.order_by is not None:
        order = f" ORDER BY {b.ref(plan.order_by)} {'ASC' if plan.order == 'asc' else 'DESC'} NULLS LAST"
    distinct = "DISTINCT " if b.fanned or plan.distinct else ""
    sql = f"SELECT {distinct}{select} FROM {quote(plan.asset)} AS t0" + "".join(f" {j}" for j in b.joins)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += order + f" LIMIT {int(plan.limit or default_rows)}"
    return Compiled(sql, tuple(b.params), labels, (), tuple(dict.fromkeys(b.dropped)), sources)
