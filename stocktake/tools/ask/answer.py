"""From a question to a checked plan, and from a plan to its result: the planner's two public steps.

``interpret`` reads the question (as a follow-up of the previous plan where it reads like one), and is sure or
says it is not: a reading that leaves a word unexplained is offered back with the closest readings the planner
does understand, never answered as if the word were not there. ``run_plan`` compiles a plan and runs it through
the read-only SQL path, with its row and time limits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stocktake.catalog import Catalog
from stocktake.settings import GuardSettings
from stocktake.tools.ask.compile import Compiled, compile_plan
from stocktake.tools.ask.describe import question_for, reading
from stocktake.tools.ask.followup import looks_like_follow_up
from stocktake.tools.ask.model import QueryPlan
from stocktake.tools.ask.read import Reader, Reading
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.text import FUNCTION_WORDS, close_spelling, fold, tokenize
from stocktake.tools.ask.vocab import root


@dataclass(frozen=True)
class AskSettings:
    sure: float = 0.99  # below this score (a word left unexplained), the planner asks back
    suggestions: int = 3


@dataclass(frozen=True)
class Interpretation:
    status: str  # plan, clarify or none
    plan: QueryPlan | None
    reading: str  # one sentence: how the question was read
    notes: tuple[str, ...] = ()
    unexplained: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    follow_up: bool = False
    missing: str | None = None


@dataclass(frozen=True)
class PlanResult:
    plan: QueryPlan
    sql: str
    params: tuple
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    truncated: bool
    labels: tuple[str, ...]
    measures: tuple[str, ...]
    dropped: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what was done beyond the plan as read (an id found in another column)


def interpret(question: str, schema: SchemaIndex, previous: QueryPlan | None = None,
              settings: AskSettings = AskSettings(), reader: Reader | None = None) -> Interpretation:
    reader = reader or Reader(schema)
    fresh = reader.read(question)
    chosen, follow = fresh, False
    # "how many from france" names no table or column: it leans on the last answer's
    follows = looks_like_follow_up(tokenize(question)) or previous is not None and not any(
        m.kind in ("asset", "column") for m in reader.roles(question).mentions)
    if previous is not None and (follows or fresh.plan is None or fresh.score < settings.sure):
        refined = reader.follow_up(question, previous)
        # "and for user 12?" reads on its own too: a question that starts like a follow-up is one, unless it
        # explains clearly less that way
        margin = 0.3 if follows else 0.0
        if refined.plan is not None and (fresh.plan is None or refined.score + margin > fresh.score):
            chosen, follow = refined, True
    if chosen.plan is None:
        hints = incomplete(question, reader, settings)
        if hints:
            return Interpretation("clarify", None, f"{_nothing(chosen)} The question may be missing the table or "
                                  "column it is about.", unexplained=chosen.unexplained, suggestions=hints)
        return Interpretation("none", None, _nothing(chosen), unexplained=chosen.unexplained, missing=chosen.missing)
    sentence = reading(chosen.plan)
    if chosen.score >= settings.sure:
        return Interpretation("plan", chosen.plan, sentence, chosen.notes, (), (), follow)
    suggestions = suggest(question, chosen, reader, settings)
    if chosen.unexplained:
        understood = f"I understood {sentence.removeprefix('I read this as ').rstrip('.')}, but not " \
                     f"{_quote(chosen.unexplained)}."
    elif chosen.vague:
        understood = "The question doesn't say which table or column it is about."
        suggestions = tuple(dict.fromkeys(incomplete(question, reader, settings) + suggestions))[
            : settings.suggestions]
    else:
        understood = f"{sentence} Other columns fit the words as well."
    return Interpretation("clarify", chosen.plan, understood, chosen.notes, chosen.unexplained, suggestions, follow)


def _nothing(r: Reading) -> str:
    if r.missing == "asset":
        return "I couldn't tell which table the question is about."
    return "I couldn't tell what to count or measure."


def _quote(words) -> str:
    return " and ".join(f"“{w}”" for w in words)


def suggest(question: str, r: Reading, reader: Reader, settings: AskSettings) -> tuple[str, ...]:
    """Readings close to the question that the planner is sure of: each unexplained word replaced by the
    column or value it most resembles (by spelling, or by the schema docs), then what was understood."""
    out: list[str] = []
    for word in r.unexplained:
        for name in _lookalikes(word, reader):
            changed = question.replace(word, name, 1)
            again = reader.read(changed)
            if again.plan is not None and again.score >= settings.sure:
                out.append(question_for(again.plan))
    if r.plan is not None:
        out.append(question_for(r.plan))
    out += [question_for(alt) for alt in r.alternatives]
    return tuple(dict.fromkeys(out))[: settings.suggestions]


def incomplete(question: str, reader: Reader, settings: AskSettings) -> tuple[str, ...]:
    """Questions the planner answers for sure that complete one which names no table ("how many?",
    "what's the average", "top 10", "show me the dates"): the same request on the main tables."""
    roles = reader.roles(question)
    kinds = {c.kind for c in roles.cues}
    schema = reader.schema
    facts = sorted(schema.assets.values(), key=lambda a: (a.kind not in ("order_items", "orders", "events"), -a.rows))
    measures = [(a, c) for a in facts for c in a.columns if c.numeric and not c.id_like and c.semantic in (
        "price", "rating", "quantity", "number")]
    groups = [(a, c) for a in facts for c in a.columns if c.semantic in ("category", "geo") and not c.id_like]
    dated = [a for a in facts if a.time_column]
    words = {root(t.norm) for t in roles.tokens}
    if "agg" in kinds or "most" in kinds and "top" not in words:
        word = next((c.value for c in roles.cues if c.kind == "agg"), "max")
        asked = {"sum": "total", "mean": "average", "median": "median", "min": "lowest", "max": "highest"}[word]
        general = [(a, c) for a, c in measures if words & {root(w) for w in c.words}] or measures
        options = [f"{asked} {c.name} of {a.name}" for a, c in general]
    elif "top" in words or "most" in kinds:
        n = next((t.text for t in roles.tokens if t.kind == "number"), "5")
        options = [f"top {n} {c.name} by number of {a.name}" for a, c in groups]
    elif "count" in kinds:
        options = [f"how many {a.name}" for a in facts]
    elif words & {root("date"), root("dates"), root("time"), root("when")}:
        options = [f"latest {a.time_column} of {a.name}" for a in dated]
    elif _only_pointing(roles):  # "compare them", "and the rest?", "give me the breakdown": of what?
        options = [f"how many {a.name} by {c.name}" for a, c in groups] + [f"how many {a.name}" for a in facts]
    else:
        return ()
    out = []
    for option in options:
        again = reader.read(option)
        if again.plan is not None and again.score >= settings.sure:
            out.append(option)
        if len(out) == settings.suggestions:
            break
    return tuple(out)


# Words that point at something said before, or ask to compare or split it, without naming it.
POINTING = frozenset({"it", "its", "them", "they", "those", "these", "that", "this", "one", "ones", "rest",
                      "others", "other", "compare", "comparison", "breakdown", "split", "higher", "lower", "bigger",
                      "smaller", "better", "worse", "more", "less", "difference", "same"})


def _only_pointing(roles) -> bool:
    if any(m.kind in ("asset", "column", "value") for m in roles.mentions) or roles.ids:
        return False
    norms = [t.norm for t in roles.tokens if t.kind == "word"]
    return bool(norms) and any(n in POINTING for n in norms) and all(
        n in POINTING or n in FUNCTION_WORDS for n in norms)


def _lookalikes(word: str, reader: Reader) -> list[str]:
    w = root(fold(word))
    names = []
    for a in reader.schema.assets.values():
        for c in a.columns:
            if any(close_spelling(w, root(x)) or len(w) > 3 and root(x).startswith(w) for x in c.words):
                names.append(c.name)
    tokens = tokenize(word)
    names += [m.column for m in reader.grounder.docs(tokens, {0})]
    for folded in reader.grounder.value_index:
        if " " not in folded and not folded.startswith("~") and close_spelling(fold(word), folded):
            names.append(folded)
    return list(dict.fromkeys(names))[:4]


def run_plan(plan: QueryPlan, schema: SchemaIndex, catalog: Catalog, guard: GuardSettings = GuardSettings()
             ) -> PlanResult:
    """Compile and run a plan through the read-only SQL path: its limits, and the one PII masker. A lookup that
    finds nothing is tried again where its id really is (stocktake.tools.ask.relocate)."""
    from stocktake.tools.ask.relocate import relocated_lookup

    result = _run(plan, schema, catalog, guard)
    if not _found_nothing(result) or not plan.filters:
        return result
    moved = relocated_lookup(plan, schema, lambda a, c, v: _holds(catalog, a, c, v, guard))
    if moved is None:
        return result
    return replace(_run(moved[0], schema, catalog, guard), notes=(moved[1],))


def _found_nothing(result: PlanResult) -> bool:
    """No row, or one count or total of nothing ("how many orders did customer X place": 0)."""
    if not result.rows:
        return True
    return bool(result.measures) and not result.labels and len(result.rows) == 1 and \
        all(v in (0, None) for v in result.rows[0])


def _run(plan: QueryPlan, schema: SchemaIndex, catalog: Catalog, guard: GuardSettings) -> PlanResult:
    from stocktake.tools.profile import load_personal_columns, mask_by_source
    from stocktake.tools.query import run_select

    compiled: Compiled = compile_plan(plan, schema)
    result = run_select(catalog, compiled.sql, params=list(compiled.params), settings=guard)
    personal = load_personal_columns(catalog, dict.fromkeys(a for a, _ in result.reads)) if guard.mask_pii else None
    result = mask_by_source(result, compiled.sources, personal, guard) if personal is not None else result
    return PlanResult(plan, compiled.sql, compiled.params, result.columns, result.rows, result.truncated,
                      compiled.labels, compiled.measures, compiled.dropped + ((result.note,) if result.note else ()))


def _holds(catalog: Catalog, asset: str, column: str, value: object, guard: GuardSettings) -> bool:
    from stocktake.tools.profile.db import quote
    from stocktake.tools.query import run_select

    sql = f"SELECT 1 FROM {quote(asset)} WHERE {quote(column)} = $1 LIMIT 1"
    return bool(run_select(catalog, sql, params=[value], row_limit=1, settings=guard).rows)
