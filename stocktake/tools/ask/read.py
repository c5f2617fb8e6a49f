"""Reading a question into a query plan: find what it counts or measures, how it groups, which conditions and
records it names; then place every part on the catalog (which asset, which column, which join) so that the
parts fit together, and say how sure the reading is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from stocktake.tools.ask.cues import Cue, find_cues, number_at
from stocktake.tools.ask.dates import DateRange, find_dates, spell_out_dates
from stocktake.tools.ask.followup import (ANAPHORA, FEW, STARTERS, merge_filters, retarget, same_column, same_for,
                                          wants_rows, with_bucket)
from stocktake.tools.ask.ground import FUNCTION_ROOTS, Grounder
from stocktake.tools.ask.measures import MeasureChoice, MeasureSpec, find_measure
from stocktake.tools.ask.model import Col, Compare, Filter, Group, Measure, QueryPlan
from stocktake.tools.ask.place_conditions import ConditionPlacer
from stocktake.tools.ask.roles import IdRef, Roles, find_comparisons, find_ids
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.spelling import Speller, catalog_words
from stocktake.tools.ask.text import FUNCTION_WORDS, expand_jargon, fold, tokenize
from stocktake.tools.ask.vocab import root

# Words a question about data uses that name nothing in the catalog and change nothing in the answer.
NEUTRAL_WORDS = frozenset("""
shop store platform site website database system company business customer's customers' people anyone anybody
something anything everything thing things stuff item's placed place made make made received receive bought have
happened were was is are been being exist exists existing there recorded stored registered listed kept contain
contains containing hold holds holding present available appear appears appearing occur occurs occurring
ones one kind type sort like per cent actual actually real really currently current overall please
dated sold sell selling did see put paid got come came give gave given take took taken written write wrote left leave
bring brought generate generated earn earned chose choose chosen picked pick selected select used use using went go goes gone star stars starred anyone someone everyone ever map mapping lookup
had has have live lives living based located handed hand added add adding something anything catalog
catalogue ship shipped ships shipping send sent exactly currently today overall entire whole total
""".split())
NEUTRAL = frozenset(root(w) for w in NEUTRAL_WORDS)


@dataclass(frozen=True)
class Reading:
    plan: QueryPlan | None
    score: float
    notes: tuple[str, ...] = ()  # how words were read ("revenue as quantity × unit_price")
    unexplained: tuple[str, ...] = ()  # words the reading does not account for
    missing: str | None = None  # what the question lacks for a plan ("asset", "measure")
    alternatives: tuple[QueryPlan, ...] = ()  # readings almost as good
    form: str = "aggregate"  # aggregate, lookup or rows
    dates: tuple[str, ...] = ()
    vague: bool = False  # nothing in the question names the table, and its words are too general to


@dataclass
class _Draft:
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


class Reader:
    def __init__(self, schema: SchemaIndex, grounder: Grounder | None = None):
        self.schema = schema
        self.grounder = grounder or Grounder(schema)

    @cached_property
    def speller(self) -> Speller:
        from stocktake.tools.ask.cues import PHRASES
        from stocktake.tools.ask.vocab import KIND_ENTITIES, MONEY_WORDS, SYNONYMS

        planner = {w for words, _, _ in PHRASES for w in words} | set(FUNCTION_WORDS) | set(SYNONYMS)
        planner |= {w for words in KIND_ENTITIES.values() for e in words for w in e.split()} | set(MONEY_WORDS)
        planner |= NEUTRAL_WORDS
        return Speller(catalog_words(self.schema), planner)

    def roles(self, question: str) -> Roles:
        question, notes = expand_jargon(spell_out_dates(question))
        tokens = self.speller.fix(tokenize(question))
        mentions = self.grounder.ground(tokens)
        roles = Roles(tokens, find_cues(tokens), mentions, self.grounder.values(tokens), notes=notes)
        roles.ids = find_ids(tokens, mentions)
        roles.dates = [d for d in find_dates(tokens, None) if not _overlaps_ids(d, roles.ids)]
        roles.comparisons = find_comparisons(roles)
        return roles

    def read(self, question: str) -> Reading:
        roles = self.roles(question)
        _top_n(roles)
        spec = None if _sample_rows(roles) else find_measure(roles)
        if spec is not None:
            roles.mark([t for t in spec.tokens if t is not None])
        placer = ConditionPlacer(self.schema, roles)
        subject = placer.subject()
        base, choice = placer.measure(spec, subject)
        if spec is not None and choice is None and spec.agg in ("min", "max", "sum", "mean", "median"):
            # "the latest products" with no date, "average colour": the word asked for a measure none fits
            roles.unplace(spec.tokens)
        if len(roles.ids) > 1 and (spec is None or spec.kind == "sort"):
            base = _lookup_base(roles) or base
        if spec is None and base is not None:
            base = _contents_of(roles, self.schema, base) or base
        counted = placer.counted_per(subject) if spec is None else None
        if counted is not None:  # "customers with at least 8 orders": orders per customer, those with 8 or more
            base, group, having = counted
            draft = _Draft(asset=base, measure=MeasureChoice(Measure(agg="count"), (), 0.8, ()),
                           groups=[group], having=[having], order="desc")
            placer.filters(base, draft, None)
            plan = _plan(draft, "aggregate", self.schema)
            unexplained = _words(roles, roles.used)
            return Reading(plan, _score(unexplained), (), unexplained, form="aggregate") if plan else \
                Reading(None, 0.0, missing="measure")
        if base is None:
            return Reading(None, 0.0, missing="asset", unexplained=_words(roles, set()))
        form = _form(roles, spec, choice)
        draft = _Draft(asset=base, measure=choice, limit=roles.limit, notes=list(roles.notes))
        if choice is not None:
            draft.notes += choice.notes
            draft.score += choice.score
        placer.mark_subject(subject, base)
        if form == "aggregate":
            self._aggregate(placer, spec, draft, roles)
        placer.compares(base, draft)
        placer.filters(base, draft, None)
        placer.lookups(base, draft, roles.ids)
        if form != "aggregate":
            draft.measure = None
            placer.listing(base, draft, choice)
        placer.flags(base, draft)
        placer.related(base, draft)
        _unplaced_comparisons(roles)
        _share_part(draft)
        kinds = _kinds_of(draft, roles, self.schema) if form == "rows" else None
        kinds = kinds or (_listed_ids(draft, roles, self.schema) if form == "rows" else None)
        if kinds is not None:
            form = "aggregate"
            draft.measure = MeasureChoice(Measure(agg="count"), (), 0.5, ())
            draft.groups, draft.select = [Group(column=kinds)], []
            if draft.limit:  # "the top 5 categories": the most common first
                draft.order = roles.direction or "desc"
        plan = _plan(draft, form, self.schema)
        if plan is None:
            return Reading(None, 0.0, missing="measure", unexplained=_words(roles, set()))
        draft.notes += _list_notes(plan, self.schema)
        plan = _with_display_label(_called(plan, roles, self.schema), self.schema)
        _doc_nouns(roles, self.schema, plan.asset)
        unexplained = _words(roles, roles.used)
        if _mostly_unexplained(roles, unexplained):  # "what's the weather in Paris": not a data question
            return Reading(None, 0.0, missing="measure", unexplained=unexplained)
        rivals = _rivals(plan, roles)
        vague = _vague(plan, roles, form)
        score = _score(unexplained) - (0.4 if rivals or vague else 0.0)
        return Reading(plan, score, tuple(dict.fromkeys(draft.notes)), unexplained, alternatives=rivals, form=form,
                       dates=tuple(n for n in draft.notes if n.startswith("dates:")), vague=vague)

    def follow_up(self, question: str, previous: QueryPlan) -> Reading:
        """The question read as a change to the previous answer's plan."""
        roles = self.roles(question)
        _explain_connectives(roles)
        _top_n(roles)
        spec = find_measure(roles)
        if spec is not None:
            roles.mark([t for t in spec.tokens if t is not None])
        placer = ConditionPlacer(self.schema, roles)
        moved = same_for(roles, previous) if spec is None else None
        extreme = next((c for c in roles.cue("agg") if c.value in ("min", "max")), None) if spec is None else None
        plan = previous
        notes = [f"Following on from the last answer ({previous.asset})."]
        if moved is not None:
            plan = retarget(previous, moved.asset, self.schema)
            if plan is None:
                return Reading(None, 0.0, missing="asset", unexplained=(roles.tokens[moved.start].text,))
            roles.mark(range(moved.start, moved.end))
            notes.append(f"The same question about {moved.asset}.")
        draft = _Draft(asset=plan.asset, limit=roles.limit)
        placer.mark_subject([], plan.asset)
        placer.compares(plan.asset, draft)
        placer.filters(plan.asset, draft, None)
        placer.lookups(plan.asset, draft, roles.ids)
        groups = placer.groups(plan.asset, spec)
        counted = next((m.column for m in plan.measures if m.agg == "count_distinct" and m.column), None)
        ones = [i for i, t in enumerate(roles.tokens[:-1]) if t.norm in ("which", "what")
                and roles.tokens[i + 1].norm in ("one", "ones")]
        if not groups and spec is not None and spec.kind == "most" and counted is not None and ones:
            # "how many countries ... and which one has the most lines": those countries, ranked
            roles.mark([ones[0], ones[0] + 1])
            groups = [Group(column=counted)]
            ranked = {"order": spec.direction, "limit": roles.limit or 1}
            plan = plan.model_copy(update={"measures": (Measure(agg="count"),), **ranked} if spec.agg == "count"
                                   else ranked)
        if not groups and spec is None and plan.measures and not wants_rows(roles.tokens):
            groups = _which_of_those(roles, placer, plan.asset)
        regroup = same_column(roles, plan) if moved is None and not groups else None
        if regroup is not None and self.schema.path(plan.asset, regroup.asset) is not None:
            roles.mark(range(regroup.start, regroup.end))
            groups = [Group(column=Col(asset=regroup.asset, column=regroup.column))]
        update: dict = {"filters": merge_filters(plan.filters, draft.filters),
                        "compares": plan.compares + tuple(draft.compares),
                        "absent": tuple(dict.fromkeys(plan.absent + tuple(draft.absent)))}
        if groups:
            rebucketed = with_bucket(plan.group_by, groups[0].bucket) if len(groups) == 1 and groups[0].bucket else None
            update["group_by"] = rebucketed or tuple(groups)
        if wants_rows(roles.tokens):
            roles.mark([i for i, t in enumerate(roles.tokens) if t.norm in ("few", "some", "rows", "examples")])
            update |= {"measures": (), "group_by": (), "order": None, "limit": roles.limit or FEW, "select": ()}
        elif spec is not None and spec.agg == "share" and plan.filters and not groups and not draft.filters \
                and (not spec.target or any(m.asset == plan.asset for m in spec.target)):
            # "what share of all reviews is that": the last answer's rows as a part of all of them
            update |= {"measures": (Measure(agg="share", part=plan.filters),), "filters": ()}
            for m in spec.target:
                roles.mark(range(m.start, m.end))
        elif spec is not None and spec.agg == "count" and not spec.target and any(
                m.agg in ("count", "count_distinct") for m in plan.measures):
            pass  # "and how many from france": still the invoices counted before
        elif extreme is not None and len(plan.measures) == 1 and plan.measures[0].agg in ("min", "max") \
                and plan.measures[0].column is not None:  # "and the newest": the other end of the same column
            roles.mark(extreme.covers())
            update["measures"] = (plan.measures[0].model_copy(update={"agg": extreme.value}),)
        elif spec is not None:
            _, choice = placer.measure(spec, [])
            if choice is None and spec.agg in ("mean", "sum", "median", "min", "max") and not spec.target:
                choice = placer.main_measure(plan.asset, spec.agg)
            if choice is not None and self.schema.path(plan.asset, _measure_asset(choice.measure, plan.asset)) is not None:
                update["measures"] = (choice.measure,)
                notes += list(choice.notes)
            elif spec.agg == "count":
                update["measures"] = (Measure(agg="count"),)
            else:  # a measure asked for that nothing here fits: not the last answer again
                roles.unplace(spec.tokens)
        if roles.limit and "limit" not in update:
            update |= {"limit": roles.limit, "order": roles.direction or "desc"}
        try:
            new = QueryPlan.model_validate({**plan.model_dump(), **{k: v for k, v in update.items()}})
        except ValueError:
            return Reading(None, 0.0, missing="measure", unexplained=_words(roles, roles.used))
        unexplained = _words(roles, roles.used)
        if _mostly_unexplained(roles, unexplained) or any(
                m.agg == "share" and not m.part and not new.group_by for m in new.measures):  # a share of what?
            return Reading(None, 0.0, missing="measure", unexplained=unexplained)
        notes += draft.notes
        form = "aggregate" if new.measures else "rows"
        return Reading(new, _score(unexplained), tuple(dict.fromkeys(notes)), unexplained, form=form,
                       dates=tuple(n for n in draft.notes if n.startswith("dates:")))

    def _aggregate(self, placer: ConditionPlacer, spec: MeasureSpec | None, draft: _Draft, roles: Roles) -> None:
        if draft.measure is None:
            draft.measure = placer.summed_before_group(draft.asset) if roles.cue("group") else None
            if draft.measure is None:
                draft.measure = MeasureChoice(Measure(agg="count"), (), 0.5, ())
                placer.mark_counted(draft.asset)
            else:
                draft.notes += draft.measure.notes
        draft.groups = placer.groups(draft.asset, spec)
        if spec is not None and spec.kind == "most":
            draft.order = spec.direction
            draft.limit = roles.limit or 1
            if not draft.groups and roles.top_end is not None:  # "best sellers by units - top 5 products"
                group = placer.ranked(draft.asset, roles.top_end)
                if group is not None:
                    draft.groups.append(group)
            if not draft.groups and _sold(roles):  # "best sellers by units": products, whatever the table
                group = placer.thing_sold(draft.asset)
                if group is not None:
                    draft.groups.append(group)
        elif roles.limit:
            draft.order = roles.direction or "desc"
            if not draft.groups and roles.top_end is not None:
                group = placer.ranked(draft.asset, roles.top_end)
                if group is not None:
                    draft.groups.append(group)


PRONOUNS = frozenset({"they", "them", "those", "these", "it", "their", "theirs", "its"})
GENERAL = frozenset(root(w) for w in """total value amount price cost date dates time id ids number count name
type one ones thing things record entry data stuff average sum mean figure figures""".split())


def _which_of_those(roles: Roles, placer: ConditionPlacer, asset: str) -> list[Group]:
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


LINE_WORDS = frozenset(root(w) for w in ("items", "lines", "products", "articles", "positions", "contents"))


def _contents_of(roles: Roles, schema: SchemaIndex, base: str) -> str | None:
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


def _sold(roles: Roles) -> bool:
    return any(root(roles.tokens[k].norm) in ("sell", "seller") for c in roles.cue("most") for k in c.covers())


def _vague(plan: QueryPlan, roles: Roles, form: str) -> bool:
    """"what's the price", "show me the total": no table named, no condition, and only general words: whose
    price? The question is asked back instead of answered from whichever table has such a column."""
    if {t.norm for t in roles.tokens} & PRONOUNS and not any(
            m.kind in ("asset", "column") and m.how in ("name", "part", "typo") for m in roles.mentions):
        return True  # "how many did they buy", with nothing before it to say who they are
    named = any(m.kind == "asset" and m.asset in plan.assets() and m.how in ("name", "entity", "part", "typo")
                and m.score >= 0.6 for m in roles.mentions)
    if named or plan.filters or plan.compares or roles.ids or plan.absent or plan.present:
        return False
    content = [t for i, t in enumerate(roles.tokens) if t.norm not in FUNCTION_WORDS and root(t.norm) not in
               FUNCTION_ROOTS and not any(c.start <= i < c.end and c.kind in ("count", "list", "agg", "most",
                                                                                 "group", "sort", "bucket")
                                          for c in roles.cues)]
    if form == "rows" and roles.tokens[0].norm in ("what", "whats") and len(content) == 1 and not plan.limit:
        return True  # "what's the status": of which record?
    return all(root(t.norm) in GENERAL for t in content)


def _doc_nouns(roles: Roles, schema: SchemaIndex, asset: str) -> None:
    """"offers per category" where the docs of the table say its rows are offers: the word names the rows."""
    text = schema.glossary.get((asset, "")) if schema.catalog is not None else None
    if not text:
        return
    said = {root(w) for w in fold(text).replace("_", " ").split() if w.isalpha() and len(w) > 3}
    roles.mark([i for i, t in enumerate(roles.tokens) if i not in roles.used and t.kind == "word"
                and len(t.norm) > 3 and root(t.norm) in said and not _content_cue(roles, i)])


def _mostly_unexplained(roles: Roles, unexplained: tuple[str, ...]) -> bool:
    content = [t for t in roles.tokens if t.norm not in FUNCTION_WORDS and root(t.norm) not in FUNCTION_ROOTS
               and t.kind == "word"]
    return len(unexplained) >= 2 and len(unexplained) * 2 >= len(content)


def _listed_ids(draft: _Draft, roles: Roles, schema: SchemaIndex) -> Col | None:
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


def _kinds_of(draft: _Draft, roles: Roles, schema: SchemaIndex) -> Col | None:
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


def _lookup_base(roles: Roles) -> str | None:
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


def _rivals(plan: QueryPlan, roles: Roles) -> tuple[QueryPlan, ...]:
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


def _measure_asset(m: Measure, default: str) -> str:
    if m.column is not None:
        return m.column.asset
    return m.derived.left.asset if m.derived is not None else default


def _explain_connectives(roles: Roles) -> None:
    """"and", "what about", "those": the words that tie a follow-up to the last answer."""
    norms = tuple(t.norm for t in roles.tokens)
    for starter in STARTERS:
        # "per day", "by week", "in 2018": the first word starts a follow-up and still groups or dates
        if norms[:len(starter)] == starter and starter not in (("per",), ("by",), ("for",), ("in",)):
            roles.mark(range(len(starter)))
    roles.mark([i for i, n in enumerate(norms) if n in ANAPHORA or n in ("instead", "same", "split", "break",
                                                                           "down", "only", "just", "about")])


def _label_column(info, words: tuple[str, ...]):
    """The text column that names a row (a title, name or description), when it is not personal data."""
    from stocktake.tools.profile import personal_name

    return next((c for c in info.columns if c.type == "string" and not c.id_like and set(words) & set(c.words)
                 and not personal_name(c.name)), None)


def _called(plan: QueryPlan, roles: Roles, schema: SchemaIndex) -> QueryPlan:
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


def _with_display_label(plan: QueryPlan, schema: SchemaIndex) -> QueryPlan:
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


def _list_notes(plan: QueryPlan, schema: SchemaIndex) -> list[str]:
    """Columns holding lists ("Comedy|Drama") are read value by value: said, since a row then counts once for
    each value it lists."""
    columns = [f.column for f in plan.filters] + [g.column for g in plan.group_by]
    listed = dict.fromkeys(c.column for c in columns if schema.column(c.asset, c.column).separator)
    return [f"{name} lists several values per row; I read each on its own." for name in listed]


def _unplaced_comparisons(roles: Roles) -> None:
    """"sold at exactly the list price" that no comparison came of: the word compared with a column, and
    leaving it out would answer another question."""
    for cue in roles.cue("compare"):
        if any(k in roles.used for k in cue.covers()) or number_at(roles.tokens, cue.end) is not None:
            continue
        if roles.after(cue.end, kinds=("column",), reach=5):
            roles.unplace(cue.covers())


def _overlaps_ids(d: DateRange, ids: list[IdRef]) -> bool:
    return any(r.start < d.end and d.start < r.end for r in ids)


SAMPLE_NOUNS = frozenset({"row", "rows", "record", "records", "entry", "entries", "line", "lines", "example",
                          "examples"})
SAMPLE_WORDS = frozenset({"preview", "sample", "head", "peek"})


def _sample_rows(roles: Roles) -> bool:
    """"the first rows of notes", "show 10 records of orders", "preview users": a few rows as they are stored,
    in no order of their values (which "the first 5 orders" by date would impose)."""
    tokens, norms = roles.tokens, [t.norm for t in roles.tokens]
    if roles.cue("count") or roles.cue("share"):
        return False
    asked: list[int] = []
    for i, n in enumerate(norms):
        named = any(m.kind in ("asset", "column") and m.how == "name" for m in roles.at(i))
        if n in SAMPLE_WORDS and not named:
            asked.append(i)
        elif n in SAMPLE_NOUNS and i > 0 and (norms[i - 1] in ("first", "some", "few", "sample", "example")
                                              or isinstance(number_at(tokens, i - 1), int)):
            asked += [i - 1, i] + ([i - 2] if i > 1 and norms[i - 2] in ("first", "a") else [])
    if not asked:
        return False
    n = next((number_at(tokens, i) for i in asked if isinstance(number_at(tokens, i), int)), None)
    roles.limit, roles.direction, roles.sample = (n if n and n > 0 else roles.limit) or FEW, None, True
    roles.mark([*asked, *(i for i, t in enumerate(norms) if t in ("of", "from", "in") and i - 1 in asked)])
    return True


RANK_WORDS = ("top", "first", "last", "best", "worst", "bottom", "latest", "newest", "earliest", "oldest")


def _top_n(roles: Roles) -> None:
    """"top 5", "5 most", "the three cheapest", "first 10", "best 3": a limit and a direction."""
    tokens = roles.tokens
    for cue in roles.cues:
        if cue.kind not in ("agg", "most"):
            continue
        word = tokens[cue.start].norm
        after, before = number_at(tokens, cue.end), number_at(tokens, cue.start - 1)
        if word in RANK_WORDS and isinstance(after, int) and after > 0 \
                and not _date_unit(tokens, cue.end + 1):
            roles.limit, roles.direction, roles.top_end = after, _direction(cue, word), cue.end + 1
            roles.mark(range(cue.start, cue.end + 1))
            return
        if isinstance(before, int) and before > 0 and tokens[cue.start - 1].kind in ("number", "word") \
                and not _is_year(tokens[cue.start - 1]):
            roles.limit, roles.direction, roles.top_end = before, _direction(cue, word), cue.end
            # "5 best selling products": the number is the limit; "best selling" still says what ranks them
            plain = word in RANK_WORDS
            roles.mark(range(cue.start - 1, cue.end) if plain and cue.kind == "agg" else range(cue.start - 1, cue.start))
            return
    if _counted_top(roles):
        return
    bottom = next((i for i, t in enumerate(tokens) if t.norm == "bottom"), None)
    if bottom is not None and isinstance(number_at(tokens, bottom + 1), int):
        roles.limit, roles.direction, roles.top_end = number_at(tokens, bottom + 1), "asc", bottom + 2
        roles.mark(range(bottom, bottom + 2))


def _counted_top(roles: Roles) -> bool:
    """"which 3 categories sell the most", "5 cities with the most sellers": N things, then a superlative."""
    tokens = roles.tokens
    superlative = next((c for c in roles.cues if c.kind == "most" or c.kind == "agg" and c.value in ("min", "max")),
                       None)
    if superlative is None:
        return False
    for i, t in enumerate(tokens[: superlative.start]):
        n = number_at(tokens, i)
        lead = i == 0 or tokens[i - 1].norm in ("which", "what", "the", "show", "list", "give", "me", "find", "name",
                                                 "our", "my", "are", "were")
        if isinstance(n, int) and n > 0 and not _is_year(t) and lead and roles.at(i + 1):
            roles.limit, roles.top_end = n, i + 1
            roles.direction = _direction(superlative, tokens[superlative.start].norm)
            roles.mark(range(i, i + 1))
            return True
    return False


def _direction(cue: Cue, word: str) -> str:
    if cue.kind == "most":
        return cue.value
    return "asc" if cue.value == "min" or word in ("bottom", "worst") else "desc"


def _date_unit(tokens, i: int) -> bool:
    return i < len(tokens) and tokens[i].norm in ("day", "days", "week", "weeks", "month", "months", "year",
                                                   "years", "quarter", "quarters")


def _is_year(t) -> bool:
    return t.kind == "number" and t.text.isdigit() and 1950 <= int(t.text) <= 2100


def _listing(roles: Roles) -> bool:
    return bool(roles.cue("list"))


def _counted(roles: Roles) -> bool:
    return bool(roles.cue("count") or roles.cue("share"))


def _form(roles: Roles, spec: MeasureSpec | None, choice: MeasureChoice | None) -> str:
    """aggregate (a measure, or rows counted per group), lookup (records by id) or rows (a listing)."""
    if spec is not None and spec.kind != "sort" and not (choice is not None and choice.kind == "sort"):
        return "aggregate"
    if spec is None and roles.cue("group") and not roles.ids and not _listing(roles):
        return "aggregate"
    return "lookup" if roles.ids else "rows"


def _share_part(draft: _Draft) -> None:
    """A share without groups: the conditions other than dates say which rows are the part."""
    m = draft.measure.measure if draft.measure else None
    if m is None or m.agg != "share" or draft.groups:
        return
    part = [f for f in draft.filters if not _is_date_filter(f)]
    if part:
        draft.measure = MeasureChoice(m.model_copy(update={"part": tuple(part)}), draft.measure.tokens,
                                      draft.measure.score, draft.measure.notes)
        draft.filters = [f for f in draft.filters if f not in part]


def _is_date_filter(f: Filter) -> bool:
    values = f.value if isinstance(f.value, list) else [f.value]
    return all(isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-" for v in values)


def _repeated_attributes(d: _Draft, schema: SchemaIndex) -> bool:
    """"the description of stock code 85123A": the code repeats over many rows and names one text, so the text
    is listed once. Numbers are left alone: repeated quantities are rows of their own."""
    if not d.select or d.order_by is not None:
        return False
    looked_up = [f.column for f in d.filters if f.op == "=" and f.column.asset == d.asset
                 and f.column.column != schema.assets[d.asset].key]
    shown = [c for c in d.select if c not in looked_up]
    return bool(looked_up and shown) and not any(schema.column(c.asset, c.column).numeric
                                                  or schema.column(c.asset, c.column).temporal for c in shown)


def _plan(d: _Draft, form: str, schema: SchemaIndex) -> QueryPlan | None:
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


# Cues that shape any reading (how many, list, by); the others (a bucket, a comparison, a date word) change
# the answer, so one the reading did not use is a word it did not understand.
STRUCTURAL_CUES = ("count", "list", "group", "sort", "distinct", "negate", "agg", "share")


def _words(roles: Roles, used: set[int]) -> tuple[str, ...]:
    """Content words of the question that no part of the reading accounts for."""
    covered = set(used)
    for c in roles.cues:
        if c.kind in STRUCTURAL_CUES:
            covered.update(c.covers())
    covered -= roles.unplaced
    out = []
    for i, t in enumerate(roles.tokens):
        if i in covered or t.norm in FUNCTION_WORDS:
            continue
        if t.kind in ("number", "date", "code", "quoted"):
            out.append(t.text)
            continue
        r = root(t.norm)
        if (r in FUNCTION_ROOTS or r in NEUTRAL or len(t.norm) <= 2) and not _content_cue(roles, i):
            continue
        out.append(t.text)
    return tuple(out)


def _content_cue(roles: Roles, i: int) -> bool:
    return any(c.kind not in STRUCTURAL_CUES and c.start <= i < c.end for c in roles.cues)


def _score(unexplained: tuple[str, ...]) -> float:
    return max(0.0, 1.0 - 0.3 * len(unexplained))
