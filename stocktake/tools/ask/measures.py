"""What a question measures: a count, a count of distinct things, a total or average of a column or of money,
a share; or a superlative ("which category has the most products", "the most expensive product").

Money words ("revenue", "sales", "spent") are read from the data: quantity × unit price where one table has
both, else the table's money column; the reading is said out loud.
"""

from __future__ import annotations

from dataclasses import replace

from stocktake.tools.ask.ground import Mention
from stocktake.tools.ask.measure_derived import (between_times, duration_between, explicit_derived, names_formula,
                                                 number_column)
from stocktake.tools.ask.measure_spec import MONEY_ROOTS, QUANTITY_ROOTS, REVENUE_ROOTS, MeasureSpec
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.vocab import root

POPULAR = ("most common", "most frequent", "most popular", "popular", "least common", "least popular", "rarest",
           "least frequent", "best selling", "best-selling", "bestselling", "most active", "least active",
           "most engaged", "least engaged")
COPULAS = ("is", "are", "was", "were", "'s", "s", "does", "do", "did", "has", "have", "had", "will", "would")
PRICE_SUPERLATIVES = ("cheapest", "most expensive", "priciest", "costliest", "least expensive")


def find_measure(roles: Roles) -> MeasureSpec | None:
    """The measure the words ask for, in order of how explicitly they ask."""
    found = (number_column(roles) or _distribution(roles) or _per_entity(roles) or _counted(roles)
             or _share(roles) or _most(roles) or _aggregate(roles) or _concept_alone(roles))
    derived = explicit_derived(roles) or between_times(roles) or duration_between(roles)
    if derived is None:
        return found
    cue = next((c for c in roles.cues if c.kind == "agg" and c.start not in derived.tokens), None)
    asked = cue.value if cue is not None else None
    agg = found.agg if found is not None and found.agg in ("sum", "mean", "median", "min", "max") else (
        asked or ("mean" if derived.concept == "duration" else "sum"))
    if cue is not None and derived.derived is not None and derived.concept != "duration" and \
            names_formula(roles, cue.end, min(derived.tokens)):
        # "avg price per cd (dollar value divided by number of cds)": the words between name the value
        named = range(cue.end, min(derived.tokens))
        left = derived.derived[0]
        first = min((m.start for m in left if m.end == max(m.end for m in left)), default=min(derived.tokens))
        words = [roles.tokens[i] for i in range(cue.end, first)]
        while len(words) > 1 and words[-1].norm in ("a", "an", "the", "on", "of", "for", "in", "at", "per", "by"):
            words.pop()
        derived = replace(derived, name=" ".join(t.text for t in words),
                          tokens=(*named, *derived.tokens))
        found = None if found is not None and set(found.tokens) <= set(named) | set(cue.covers()) else found
    return replace(derived, agg=agg, tokens=derived.tokens + (found.tokens if found else ()),
                   kind=found.kind if found is not None and found.kind == "most" else "measure",
                   group=found.group if found is not None else (), direction=found.direction if found else "desc")


MONEY_VERBS = frozenset({"paid", "spent", "charged", "cost", "costs"})


def _targets(roles: Roles, start: int, reach: int = 4) -> tuple[Mention, ...]:
    return _not_ids(roles, roles.after(start, reach=reach))


def _not_ids(roles: Roles, mentions) -> tuple[Mention, ...]:
    """Mentions that are not the noun of an id ("customer 17850" names a record to filter on, not a measure)."""
    return tuple(m for m in mentions if not any(r.nouns and r.start <= m.start < r.end for r in roles.ids))


def _concept_at(roles: Roles, start: int, reach: int = 4) -> tuple[str | None, int | None]:
    for i in range(start, min(len(roles.tokens), start + reach + 1)):
        r = root(roles.tokens[i].norm)
        named = [m for m in roles.at(i) if m.how != "meaning"]
        after_asset = i > 0 and any(m.kind == "asset" and m.end == i for m in roles.mentions)
        if r in REVENUE_ROOTS or r in MONEY_ROOTS and not named and after_asset:
            return "money", i
        follows = roles.tokens[i + 1].norm if i + 1 < len(roles.tokens) else ""
        by = i > 0 and roles.tokens[i - 1].norm == "by"  # "best sellers by units": units, not UnitPrice
        if r in QUANTITY_ROOTS and (not named or by or follows in ("of", "sold", "did", "were", "we", "in", "bought")):
            return "quantity", i
    return None, None


def _distribution(roles: Roles) -> MeasureSpec | None:
    """"value counts of event_type", "how often does each status occur": rows per value of the column."""
    for cue in roles.cue("distribution"):
        reach = 4 if roles.tokens[cue.start].norm == "how" else 2
        named = [m for j in range(cue.end, min(len(roles.tokens), cue.end + reach + 1)) for m in roles.at(j)
                 if m.kind == "column"]
        if not named and cue.end == len(roles.tokens):  # "behaviour types breakdown": the column comes first
            named = [m for m in roles.mentions if m.kind == "column" and cue.start - 3 <= m.start < cue.start]
        if named:
            return MeasureSpec("count", kind="distribution", group=tuple(named), tokens=tuple(cue.covers()))
    return None


def _per_entity(roles: Roles) -> MeasureSpec | None:
    """"average number of ratings per user", "orders per customer on average"."""
    mean = [c for c in roles.cue("agg") if c.value == "mean"]
    counts = roles.cue("count")
    pers = [c for c in roles.cue("group") if roles.tokens[c.start].norm == "per"]
    if not (mean and pers) or not (counts or _targets(roles, mean[0].end)):
        return None
    per = pers[0]
    counted = _targets(roles, (counts[0].end if counts else mean[0].end))
    per_target = tuple(roles.at(per.end))
    if not per_target or not counted or counted[0].start >= per.start:
        return None
    if not counts and counted[0].kind != "asset":
        return None  # "average rating per category" is an average grouped by category
    if counted[0].kind == "column" and _count_column(roles, counted[0]):
        # "avg number of photos per product": photos are counted in a column already, per product
        roles.mark(per.covers(), range(per_target[0].start, per_target[0].end))
        return MeasureSpec("mean", target=counted, tokens=(*mean[0].covers(), *counts[0].covers()))
    tokens = (*mean[0].covers(), *(counts[0].covers() if counts else ()), *per.covers(),
              *range(per_target[0].start, per_target[0].end), *range(counted[0].start, counted[0].end))
    return MeasureSpec("count", target=counted, tokens=tokens, per=per_target)


def _count_column(roles: Roles, m: Mention) -> bool:
    """A column that holds a count of things (product_photos_qty, n_items, quantity)."""
    words = set(roles.tokens[k].norm for k in range(m.start, m.end))
    del words
    return m.how in ("name", "part", "head") and bool(set(m.column.lower().replace("_", " ").split()) & {
        "qty", "quantity", "count", "num", "number", "n", "nb"})


# "how many times", "how many rows have no customer id": the rows themselves are counted
ROW_NOUNS = frozenset({"times", "time", "rows", "records", "lines", "entries"})


def _counted(roles: Roles) -> MeasureSpec | None:
    cues = roles.cue("count")
    if not cues:
        return None
    cue = cues[0]
    if roles.tokens[cue.start].norm == "how" and roles.tokens[cue.end - 1].norm == "much":
        return None  # "how much revenue": a total
    distinct = next((d for d in roles.cue("distinct") if cue.end <= d.start <= cue.end + 1 or d.end == cue.start), None)
    start = distinct.end if distinct else cue.end
    if not distinct and start < len(roles.tokens) and roles.tokens[start].norm in ROW_NOUNS:
        # "how many times did user 1 buy": the rows themselves, whoever did it
        return MeasureSpec("count", target=(), tokens=(*cue.covers(), start))
    target = _counted_noun(roles, start)
    tokens = (*cue.covers(), *(distinct.covers() if distinct else ()))
    concept, at = _concept_at(roles, start, 0)
    if concept == "quantity" and at == start:  # "how many units": a total of the quantity column
        return MeasureSpec("sum", target=(), concept="quantity", tokens=(*tokens, at))
    if concept == "quantity" and not target:
        return MeasureSpec("sum", target=(), concept="quantity", tokens=(*tokens, at))
    return MeasureSpec("count_distinct" if distinct else "count", target=target, tokens=tokens)


def _counted_noun(roles: Roles, start: int, reach: int = 4) -> tuple[Mention, ...]:
    """The noun counted after "how many": "how many delivered orders" counts orders, "delivered" being a
    value; a word that is only weakly a column is passed over when a value or a clearer noun follows."""
    for i in range(start, min(len(roles.tokens), start + reach + 1)):
        here = roles.at(i)
        if not here:
            continue
        value = any(v.start <= i < v.end for v in roles.values)
        strong = [m for m in here if m.kind == "asset" and (m.how != "entity" or not value)
                  or m.kind == "column" and m.how in ("name", "part") and m.score >= 0.8]
        later = {m.asset for j in range(i + 1, len(roles.tokens)) for m in roles.at(j) if m.kind == "asset"}
        owned = [m for m in here if m.kind == "column" and m.asset in later]
        if not strong and owned and not value:  # "how many zip prefixes does the geolocation table have"
            return tuple(owned)
        near = any(m.kind == "asset" for j in range(i + 1, min(len(roles.tokens), start + reach + 1))
                   for m in roles.at(j))
        if not strong and (value or near):
            continue
        return tuple(here)
    return ()


def _share(roles: Roles) -> MeasureSpec | None:
    cues = roles.cue("share")
    if not cues:
        return None
    return MeasureSpec("share", target=_targets(roles, cues[0].end, 3), tokens=tuple(cues[0].covers()))


def _most(roles: Roles) -> MeasureSpec | None:
    """"which category has the most products", "most popular products", "who spent the most"."""
    longer = [c for c in roles.cue("agg") if c.end - c.start > 1]
    cues = [c for c in roles.cue("most") if c.start not in roles.used
            and not any(c.start < a.end and a.start < c.end for a in longer)]
    if not cues:
        return None
    named = [c for c in cues if " ".join(roles.tokens[i].norm for i in c.covers()) in POPULAR]
    cue = named[0] if named else cues[0]
    roles.mark([k for c in cues if c.start < cue.end and cue.start < c.end for k in c.covers()])
    if any(b.start == cue.end for b in roles.cue("bucket")) and not _targets(roles, cue.end + 1, 3):
        # "busiest day", "quietest hour": rows counted per day, the most first
        return MeasureSpec("count", kind="most", tokens=tuple(cue.covers()), direction=cue.value)
    participle = cue.end < len(roles.tokens) and _participle(roles.tokens[cue.end].norm)
    best = roles.tokens[cue.start].norm in ("best", "worst", "top", "highest", "lowest")
    if participle and best and root(roles.tokens[cue.end].norm) in ("rat", "review", "scor") \
            and roles.after(cue.end + 1, reach=2):
        # "best rated movies", "worst reviewed products": by their average rating
        return MeasureSpec("mean", kind="most", concept="rating", group=tuple(roles.after(cue.end + 1, reach=2)),
                           tokens=(*cue.covers(), cue.end), direction=cue.value)
    if participle and roles.after(cue.end + 1, reach=2):
        # "the most rated movies", "most viewed products": the things counted where they were rated, viewed
        return MeasureSpec("count", kind="most", group=tuple(roles.after(cue.end + 1, reach=2)),
                           tokens=(*cue.covers(), cue.end), direction=cue.value)
    after = _targets(roles, cue.end, 3)
    concept, at = _concept_at(roles, cue.end, 2)
    lead = _lead_noun(roles, cue.start)
    if concept is None and not after:
        concept, at = _verb_before(roles, cue.start)
    tokens = tuple(cue.covers()) + ((at,) if at is not None else ())
    words = " ".join(roles.tokens[i].norm for i in cue.covers())
    if words in POPULAR and after and not lead:
        return MeasureSpec("count", kind="most", group=after, tokens=tokens, direction=cue.value)
    if not lead and not after and concept is None:
        return None
    inner = next((c for c in roles.cue("agg") if c.start == cue.end and c.value in ("mean", "median", "sum")), None)
    if inner is not None:  # "the worst avg rating", "highest total revenue": that aggregate, ranked
        named = tuple(roles.within(inner.end, 3))
        concept, at = _concept_at(roles, inner.end, 2)
        return MeasureSpec(inner.value, kind="most", target=named if not concept else (), concept=concept,
                           group=lead, tokens=(*tokens, *inner.covers()) + ((at,) if at is not None else ()),
                           direction=cue.value)
    agg = "sum" if concept else "count"
    if after and after[0].kind == "column" and not concept:
        if not lead:  # "the most installments anyone chose": the largest value
            return MeasureSpec("min" if cue.value == "asc" else "max", target=after, tokens=tokens)
        agg = "sum"
    return MeasureSpec(agg, kind="most", target=after if not concept else (), concept=concept, group=lead,
                       tokens=tokens, direction=cue.value)


def _participle(word: str) -> bool:
    return word.endswith("ed") and len(word) > 4 or word in ("bought", "sold", "seen", "written", "given", "paid")


def _verb_before(roles: Roles, cue: int) -> tuple[str | None, int | None]:
    """"spent the most" is money, "sold the most" is units: the verb right before a bare superlative."""
    for i in (cue - 1, cue - 2):
        if i < 0:
            continue
        r = root(roles.tokens[i].norm)
        if r in ("spend", "pay", "earn", "generat", "mak"):
            return "money", i
        if r in ("sell", "purchas", "order"):
            return "quantity", i
    return None, None


def _lead_noun(roles: Roles, before: int) -> tuple[Mention, ...]:
    """The thing asked about by "which X" / "what X" / "the X with": the group of a superlative."""
    k = before - 1
    while k >= 0 and roles.tokens[k].norm in ("the", "a", "an"):
        k -= 1
    if k >= 1 and roles.tokens[k].norm in ("with", "having", "has", "have", "had"):
        lead = [m for m in roles.mentions if m.end in (k, k - 1)]  # "5 cities with the most sellers"
        if lead:
            return tuple(sorted(lead, key=lambda m: (-m.width, -m.score)))
    for i in range(before - 1, -1, -1):
        t = roles.tokens[i].norm
        if t in ("which", "what") and i + 1 < len(roles.tokens) and roles.tokens[i + 1].norm in COPULAS:
            return ()
        if t in ("which", "what", "who"):
            if t == "who":
                return tuple(m for m in roles.mentions if m.kind == "asset" and any(
                    e in ("user", "customer") for e in _entity_roots(m, roles)))[:1] or ("who",)
            return tuple(roles.after(i + 1, reach=2))
    return ()


def _entity_roots(m: Mention, roles: Roles) -> tuple[str, ...]:
    return tuple(root(roles.tokens[k].norm) for k in range(m.start, m.end))


def _aggregate(roles: Roles) -> MeasureSpec | None:
    """"average price", "total revenue", "the latest order date"; "highest average score by state" orders groups
    by an average; "which product has the highest price" sorts products by their price."""
    for cue in roles.cue("agg"):
        words = " ".join(roles.tokens[i].norm for i in cue.covers())
        if words in PRICE_SUPERLATIVES:
            target = tuple(m for m in _targets(roles, cue.end, 3) + _lead_noun(roles, cue.start)
                           if m != "who" and m.kind == "asset")
            if target:
                return MeasureSpec(cue.value, kind="sort", target=target, concept="price",
                                   tokens=tuple(cue.covers()), direction="asc" if cue.value == "min" else "desc")
    cues = [c for c in roles.cue("agg") if not any(k in roles.used for k in c.covers())]
    for n, cue in enumerate(cues):
        found = _aggregate_at(roles, cue, next((c for c in cues[n + 1:] if c.start == cue.end
                                                 and c.value in ("mean", "sum", "median")), None))
        if found is not None:
            return found
    bare = next((c for c in cues if c.value in ("sum", "mean", "median")), None)
    if bare is not None:  # "whats their average", "and the total for those": of what, the context says
        return MeasureSpec(bare.value, target=(), tokens=tuple(bare.covers()))
    return None


def _aggregate_at(roles: Roles, cue, inner) -> MeasureSpec | None:
    """The measure one aggregate word asks for; ``inner``: an average or total right after a highest or lowest
    ("the highest average score")."""
    agg, after = (inner.value, inner.end) if inner and cue.value in ("min", "max") else (cue.value, cue.end)
    tokens = tuple(cue.covers()) + (tuple(inner.covers()) if inner else ())
    target = _aggregated(roles, after)
    if not target and not inner and cue.value in ("sum", "mean", "median"):
        before = [m for m in roles.mentions if m.end == cue.start and m.kind == "asset"]
        if before:  # "order totals", "basket averages": the money of the thing named before
            return MeasureSpec(cue.value, concept="money", target=tuple(before), tokens=tuple(cue.covers()))
    concept, at = _concept_at(roles, after, 3)
    lead = _lead_noun(roles, cue.start)
    direction = "asc" if cue.value == "min" else "desc"
    if concept and target and target[0].kind == "asset" and at is not None and at == target[0].end:
        return MeasureSpec(agg, kind="most" if lead else "measure", target=target[:1], concept=concept,
                           tokens=(*tokens, at), group=lead, direction=direction)
    if concept and (not target or at is not None and at <= target[0].start):
        kind = "most" if lead or inner else "measure"
        # "which product has the highest revenue" ranks totals; "the highest quantity" is the largest one
        ranked = "sum" if kind == "most" and not inner and cue.value in ("min", "max") else agg
        return MeasureSpec(ranked, kind=kind, concept=concept, tokens=(*tokens, at), group=lead, direction=direction)
    rated = after < len(roles.tokens) and roles.tokens[after].norm.endswith("ed") and \
        root(roles.tokens[after].norm) in ("rat", "review", "scor")
    if rated and cue.value in ("min", "max") and roles.after(after + 1, reach=2):
        # "the highest rated movie", "worst reviewed products": ranked by their average rating
        return MeasureSpec("mean", kind="most", target=(), concept="rating", tokens=(*tokens, after),
                           group=tuple(roles.after(after + 1, reach=2)), direction=direction)
    if not target:
        return None
    if inner:
        return MeasureSpec(agg, kind="most" if lead else "measure", target=target, tokens=tokens, group=lead,
                           direction=direction)
    if cue.value in ("min", "max") and lead:
        own = lead[0] != "who" and lead[0].kind == "asset" and any(
            t.kind == "column" and t.asset == lead[0].asset for t in target)
        kind = "sort" if own else "most"
        return MeasureSpec(cue.value, kind=kind, target=target, tokens=tokens, group=() if own else lead,
                           direction=direction)
    return MeasureSpec(agg, target=target, tokens=tokens, direction=direction)


def _aggregated(roles: Roles, after: int) -> tuple[Mention, ...]:
    """What the aggregate word applies to: the names just after it ("total freight paid": the freight; "paid"
    only says it is money)."""
    target = _not_ids(roles, roles.within(after, 3))
    verbs = {i for i in range(after, min(len(roles.tokens), after + 4)) if roles.tokens[i].norm in MONEY_VERBS}
    if verbs and any(m.kind == "column" and m.how in ("name", "part") and m.score >= 0.8 and m.end <= min(verbs)
                     for m in target):
        target = tuple(m for m in target if m.start not in verbs)
    return target


def _concept_alone(roles: Roles) -> MeasureSpec | None:
    """"revenue by category", "sales last month": a word for revenue is a total of it."""
    at = next((i for i, t in enumerate(roles.tokens) if root(t.norm) in REVENUE_ROOTS), None)
    concept = "money" if at is not None else None
    if concept is None:  # "qty sold per day"
        at = next((i for i, t in enumerate(roles.tokens) if root(t.norm) in QUANTITY_ROOTS
                   and i + 1 < len(roles.tokens) and roles.tokens[i + 1].norm in ("sold", "bought", "ordered",
                                                                                   "per", "by")), None)
        concept = "quantity" if at is not None else None
    if concept is None:
        return None
    return MeasureSpec("sum", target=(), concept=concept, tokens=(at,))


