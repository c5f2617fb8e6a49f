"""Follow-up questions: "and only the cancelled ones?", "split that by week", "list a few", "same for sellers".

A follow-up is read against the previous answer's plan: its own words add or replace conditions, replace the
grouping or the measure, list the rows behind the last answer, or move the same question to another asset
(each column mapped to the new asset's column of the same role: customer_state -> seller_state).
"""

from __future__ import annotations

from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.model import Col, Filter, Group, QueryPlan
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.text import Token
from stocktake.tools.ask.vocab import root

STARTERS = (("and",), ("but",), ("what", "about"), ("how", "about"), ("now",), ("then",), ("also",), ("only",),
            ("just",), ("same",), ("split",), ("break",), ("of", "those"), ("of", "these"), ("which", "of"),
            ("instead",), ("ok", "and"), ("and", "what"), ("what", "if"), ("excluding",), ("except",),
            ("without",), ("per",), ("by",), ("for",), ("in",), ("list", "them"), ("show", "them"), ("which", "one"),
            ("which", "ones"))
ANAPHORA = frozenset({"those", "these", "them", "that", "it", "ones", "they", "same", "their", "theirs", "such"})
FEW = 5


def looks_like_follow_up(tokens: list[Token]) -> bool:
    norms = tuple(t.norm for t in tokens)
    if any(norms[:len(s)] == s for s in STARTERS):
        return True
    return bool(set(norms) & ANAPHORA) and len(norms) <= 12


def wants_rows(tokens: list[Token]) -> bool:
    """"list a few", "show me some", "which ones", "show them": the rows behind the last answer."""
    norms = [t.norm for t in tokens]
    if " ".join(norms) in ("which ones", "what are they", "which are they", "who are they", "examples", "some"):
        return True
    listing = any(w in norms for w in ("list", "show", "display", "give", "see", "print"))
    some = any(w in norms for w in ("few", "some", "them", "those", "these", "ones", "rows", "examples", "sample"))
    return listing and some


def same_for(roles: Roles, previous: QueryPlan) -> Mention | None:
    """"same for sellers", "what about the products": another asset named with no measure of its own."""
    norms = [t.norm for t in roles.tokens]
    if not ({"same", "about", "for", "instead"} & set(norms)):
        return None
    ids = {k for r in roles.ids for k in range(r.start, r.end)}
    named = [m for m in roles.mentions if m.kind == "asset" and m.start not in ids]
    # A part of a name counts where it names one asset only ("reviews" in olist_order_reviews_dataset).
    spans = [(m.start, m.end) for m in named]
    assets = [m for m in named if m.asset != previous.asset and (m.how != "part" or spans.count((m.start, m.end)) == 1)]
    return max(assets, key=lambda m: m.score) if assets else None


def same_column(roles: Roles, previous: QueryPlan) -> Mention | None:
    """"same for brands" after a count per category: another column named for the grouping."""
    norms = [t.norm for t in roles.tokens]
    if not previous.group_by or not ({"same", "about", "instead"} & set(norms)):
        return None
    columns = [m for m in roles.mentions if m.kind == "column" and m.how in ("name", "part")
               and Col(asset=m.asset, column=m.column) not in [g.column for g in previous.group_by]]
    return max(columns, key=lambda m: (m.score, m.asset == previous.asset), default=None)


def retarget(plan: QueryPlan, asset: str, schema: SchemaIndex) -> QueryPlan | None:
    """The same question about another asset; None when a column has no counterpart there. A condition or a
    grouping with no counterpart stays on its own asset when the new one reaches it: "how many orders were
    cancelled in 2017" then "what about reviews?" counts the reviews of those orders."""
    def move(col: Col | None, joined: bool = False) -> Col | None:
        if col is None:
            return None
        match = counterpart(schema, col, asset)
        if (col.asset != plan.asset or joined) and match is None:  # stays, if the new asset reaches it
            return col if schema.path(asset, col.asset) is not None else None
        return Col(asset=asset, column=match) if match else None

    measures = []
    for m in plan.measures:
        new = m.model_copy(update={"column": move(m.column), "per": move(m.per), "part": tuple(
            f.model_copy(update={"column": move(f.column)}) for f in m.part)})
        if m.column is not None and new.column is None or m.derived is not None:
            return None
        measures.append(new)
    filters = [f.model_copy(update={"column": move(f.column, joined=True)}) for f in plan.filters]
    groups = [g.model_copy(update={"column": move(g.column, joined=True)}) for g in plan.group_by]
    if any(f.column is None for f in filters) or any(g.column is None for g in groups):
        return None
    return plan.model_copy(update={"asset": asset, "measures": tuple(measures), "filters": tuple(filters),
                                   "group_by": tuple(groups), "select": (), "order_by": None, "compares": (),
                                   "absent": (), "present": ()})


def counterpart(schema: SchemaIndex, col: Col, asset: str) -> str | None:
    """The column of ``asset`` with the same role: the same name, or the same name once each asset's own
    prefix is dropped (customer_city / seller_city), or the same meaning when there is one such column."""
    names = {c.name: c for c in schema.assets[asset].columns}
    if col.column in names:
        return col.column
    old = schema.column(col.asset, col.column)
    own_old = {root(w) for w in schema.assets[col.asset].words} | set(schema.assets[col.asset].entity)
    own_new = {root(w) for w in schema.assets[asset].words} | set(schema.assets[asset].entity)
    core = [root(w) for w in old.words if root(w) not in own_old]
    for c in names.values():
        if [root(w) for w in c.words if root(w) not in own_new] == core and core:
            return c.name
    same = [c for c in names.values() if c.semantic == old.semantic and c.semantic not in ("identifier", "other",
                                                                                          "text", "number")]
    return same[0].name if len(same) == 1 else None


def merge_filters(old: tuple[Filter, ...], new: list[Filter]) -> tuple[Filter, ...]:
    """New conditions replace old ones on the same column; the rest stay."""
    replaced = {(f.column.asset, f.column.column) for f in new}
    return tuple(f for f in old if (f.column.asset, f.column.column) not in replaced) + tuple(new)


def with_bucket(groups: tuple[Group, ...], bucket: str) -> tuple[Group, ...] | None:
    """"split that by week": the timeline's bucket changes, its date stays."""
    if not any(g.bucket for g in groups):
        return None
    return tuple(g.model_copy(update={"bucket": bucket}) if g.bucket else g for g in groups)
