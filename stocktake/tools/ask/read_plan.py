"""From a draft reading to a query plan: the parts a question adds once its measure and conditions are placed
(what a record contains, the kinds of a category, the name of a record, the label beside an id), and the rival
readings of a word."""

from __future__ import annotations

from dataclasses import dataclass, field

from stocktake.tools.ask.measure_spec import MeasureChoice
from stocktake.tools.ask.model import Col, Compare, Filter, Group, Measure, QueryPlan
from stocktake.tools.ask.place_conditions import ConditionPlacer
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.vocab import root


@dataclass
class Draft:
    asset: str | None = None
    measure: MeasureChoice | None = None
    groups: list[Group] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    compares: list[Compare] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    having: list = field(default_factory=list)
    count_groups: bool = False
    select: list = field(default_factory=list)
    order_by: object = None
    order: str | None = None
    limit: int | None = None
    notes: list[str] = field(default_factory=list)
    score: float = 0.0


def plan_from_draft(d: Draft, form: str, schema: SchemaIndex) -> QueryPlan | None:
    measures = (d.measure.measure,) if form == "aggregate" and d.measure else ()
    nulls = {f.column for f in d.filters if f.op == "is_null"}
    if measures and measures[0].agg in ("count", "count_distinct") and measures[0].column in nulls:
        measures = (Measure(agg="count"),)  # "count of missing CustomerID": the rows without one
    if measures and measures[0].agg == "share" and not d.groups and not measures[0].part:
        return None
    try:
        return QueryPlan(asset=d.asset, measures=measures, filters=tuple(f for i, f in enumerate(d.filters) if f not in d.filters[:i]),
                         compares=tuple(d.compares), distinct=not measures and _repeated_attributes(d, schema),
                         group_by=tuple(d.groups[:2]), select=tuple(d.select), order=d.order,
                         order_by=d.order_by, limit=d.limit, absent=tuple(d.absent), having=tuple(d.having),
                         count_groups=d.count_groups,
                         present=tuple(a for a in d.present if a not in d.absent))
    except ValueError:
        return None


def _is_date_filter(f: Filter) -> bool:
    values = f.value if isinstance(f.value, list) else [f.value]
    return all(isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-" for v in values)


def _repeated_attributes(d: Draft, schema: SchemaIndex) -> bool:
    """"the description of stock code 85123A": the code repeats over many rows and names one text, so the text
    is listed once. Numbers are left alone: repeated quantities are rows of their own."""
    if not d.select or d.order_by is not None:
        return False
    looked_up = [f.column for f in d.filters if f.op == "=" and f.column.asset == d.asset
                 and f.column.column != schema.assets[d.asset].key]
    shown = [c for c in d.select if c not in looked_up]
    return bool(looked_up and shown) and not any(schema.column(c.asset, c.column).numeric
                                                  or schema.column(c.asset, c.column).temporal for c in shown)


def share_part(draft: Draft) -> None:
    """A share without groups: the conditions other than dates say which rows are the part."""
    m = draft.measure.measure if draft.measure else None
    if m is None or m.agg != "share" or draft.groups:
        return
    part = [f for f in draft.filters if not _is_date_filter(f)]
    if part:
        draft.measure = MeasureChoice(m.model_copy(update={"part": tuple(part)}), draft.measure.tokens,
                                      draft.measure.score, draft.measure.notes)
        draft.filters = [f for f in draft.filters if f not in part]


def listed_ids(draft: Draft, roles: Roles, schema: SchemaIndex) -> Col | None:
    """"which invoices did customer 17850 make": the invoices are an id column of the lines, listed once each."""
    lists = [c for c in roles.cues if c.kind == "list"]
    if not lists or draft.order_by is not None:
        return None
    after = [m for m in roles.after(lists[0].end, reach=2) if m.kind == "column" and m.asset == draft.asset]
    if not after or any(m.kind == "asset" for m in roles.at(after[0].start)):
        return None
    info = schema.column(after[0].asset, after[0].column)
    if not info.id_like or schema.assets[draft.asset].key == info.name:
        return None
    roles.mark(range(after[0].start, after[0].end))
    return Col(asset=info.asset, column=info.name)


def kinds_of(draft: Draft, roles: Roles, schema: SchemaIndex) -> Col | None:
    """"what kinds of behavior are there", "which statuses exist": the values of a category, counted."""
    if draft.filters or draft.order_by is not None or roles.ids:
        return None
    words = {t.norm for t in roles.tokens}
    norms = [t.norm for t in roles.tokens]
    asks = bool(words & {"kinds", "kind", "types", "type", "values", "categories", "options", "exist", "possible",
                         "distinct", "different"}) or " ".join(norms[-2:]) == "are there" or \
        norms[:1] in (["what"], ["which"]) and "are" in norms[:4]  # "what countries are in the data"
    if not asks:
        return None
    named = sorted((m for m in roles.mentions if m.kind == "column" and m.asset == draft.asset
                    and schema.column(m.asset, m.column).semantic in ("category", "geo", "boolean")),
                   key=lambda m: (-m.width, -m.score))
    if not named:
        return None
    roles.mark(range(named[0].start, named[0].end))
    return Col(asset=named[0].asset, column=named[0].column)


def lookup_base(roles: Roles) -> str | None:
    """"what did user 12 rate item 300": the asset that holds a column for each id named."""
    counts: dict[str, float] = {}
    for ref in roles.ids:
        for asset in {n.asset for n in ref.nouns if n.kind == "column"}:
            counts[asset] = counts.get(asset, 0) + 1
    ids = {k for r in roles.ids for k in range(r.start, r.end)}
    for asset in counts:  # "what did user 12 rate product 5": the table that also has the rating
        if any(m.kind == "column" and m.asset == asset and m.start not in ids and m.how in ("name", "part")
               for m in roles.mentions):
            counts[asset] += 0.5
    best = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
    return best[0] if best[1] > 1 else None


LINE_WORDS = frozenset(root(w) for w in ("items", "lines", "products", "articles", "positions", "contents"))


def contents_of(roles: Roles, schema: SchemaIndex, base: str) -> str | None:
    """"what's in order 1000000", "contents of basket 7": the lines that belong to the record named."""
    norms = [t.norm for t in roles.tokens]
    for ref in roles.ids:
        opens = norms[max(0, ref.start - 3):ref.start]
        # "items in order 1000000", "the products of basket 7": its lines too
        lines_word = len(opens) >= 2 and opens[-1] in ("in", "of", "on") and root(opens[-2]) in LINE_WORDS
        if not (opens[-1:] == ["in"] and {"what", "whats", "what's"} & set(opens) or "contents" in opens[-2:]
                or lines_word):
            continue
        named = {m.asset for m in ref.nouns if m.kind == "asset"}
        lines = [e.child for e in schema.edges if e.parent in named | {base}
                 and schema.assets[e.child].kind == "order_items"]
        if lines:
            roles.mark(range(max(0, ref.start - 3), ref.start))
            return lines[0]
    return None


def which_of_those(roles: Roles, placer: ConditionPlacer, asset: str) -> list[Group]:
    """"which payment methods did those use" after a count: the same rows, counted per payment method."""
    for i, t in enumerate(roles.tokens[:-1]):
        if t.norm not in ("which", "what"):
            continue
        named = [m for m in roles.at(i + 1) if m.kind == "column" and m.how in ("name", "part")]
        placed = placer.group_column(named, asset) if named else None
        if placed is not None:
            roles.mark([i, *range(placed.mention.start, placed.mention.end)])
            return [Group(column=placed.col)]
    return []


def _label_column(info, words: tuple[str, ...]):
    """The text column that names a row (a title, name or description), when it is not personal data."""
    from stocktake.tools.profile import personal_name

    return next((c for c in info.columns if c.type == "string" and not c.id_like and set(words) & set(c.words)
                 and not personal_name(c.name)), None)


def with_name_asked(plan: QueryPlan, roles: Roles, schema: SchemaIndex) -> QueryPlan:
    """"what's stock code 85123A called", "what is item 1200 named": the record's name, title or description."""
    asked = [i for i, t in enumerate(roles.tokens) if t.norm in ("called", "named")]
    ids = [f.column for f in plan.filters if f.op == "=" and schema.column(f.column.asset, f.column.column).id_like]
    if not asked or plan.measures or plan.select or not ids:
        return plan
    info = schema.assets[ids[0].asset]
    label = _label_column(info, ("title", "name", "description", "label"))
    if label is None:
        return plan
    roles.mark(asked)
    return plan.model_copy(update={"select": (ids[0], Col(asset=info.name, column=label.name)), "distinct": True})


def with_display_label(plan: QueryPlan, schema: SchemaIndex) -> QueryPlan:
    """Groups by an id ("top 10 movies by ratings" groups ratings by movieId) also show what the id names: the
    title or name of the row it points to, when that is not personal data."""
    if len(plan.group_by) != 1 or plan.group_by[0].bucket or not plan.measures:
        return plan
    key = plan.group_by[0].column
    if not schema.column(key.asset, key.column).id_like:
        return plan
    owners = [key.asset] if schema.assets[key.asset].key == key.column else []
    owners += [e.parent for e in schema.edges if e.child == key.asset and e.child_column == key.column]
    for owner in owners:
        shown = _label_column(schema.assets[owner], ("title", "name"))
        if shown is not None and schema.path(plan.asset, owner) is not None:
            return plan.model_copy(update={"group_by": (*plan.group_by,
                                                        Group(column=Col(asset=owner, column=shown.name)))})
    return plan


def list_notes(plan: QueryPlan, schema: SchemaIndex) -> list[str]:
    """Columns holding lists ("Comedy|Drama") are read value by value: said, since a row then counts once for
    each value it lists."""
    columns = [f.column for f in plan.filters] + [g.column for g in plan.group_by]
    listed = dict.fromkeys(c.column for c in columns if schema.column(c.asset, c.column).separator)
    return [f"{name} lists several values per row; I read each on its own." for name in listed]


def measure_asset(m: Measure, default: str) -> str:
    if m.column is not None:
        return m.column.asset
    return m.derived.left.asset if m.derived is not None else default


def rival_plans(plan: QueryPlan, roles: Roles) -> tuple[QueryPlan, ...]:
    """Readings where a word the plan rests on could as well mean another column ("the average value":
    payment_value or freight_value)."""
    used = plan.columns()
    out = []
    for chosen, rival in roles.ambiguous:
        if chosen in used and rival not in used:
            data = plan.model_dump_json().replace(
                f'"asset":"{chosen.asset}","column":"{chosen.column}"', f'"asset":"{rival.asset}","column":"{rival.column}"')
            try:
                alt = QueryPlan.model_validate_json(data)
            except ValueError:
                continue
            if rival.asset != plan.asset and chosen.asset == plan.asset:
                alt = alt.model_copy(update={"asset": rival.asset})
            out.append(alt)
    # by their JSON: a plan read back from JSON holds lists (a date range), which do not hash
    return tuple({alt.model_dump_json(): alt for alt in out}.values())
