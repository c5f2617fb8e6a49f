"""From a question to a checked plan, and from a plan to its result: the planner's two public steps.

``interpret`` reads the question (as a follow-up of the previous plan where it reads like one), and is sure or
says it is not: a reading that leaves a word unexplained is offered back with the closest readings the planner
does understand, never answered as if the word were not there. ``run_plan`` compiles a plan and runs it through
the read-only SQL path, with its row and time limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from stocktake.catalog import Catalog
from stocktake.tools.ask.compile import Compiled, compile_plan
from stocktake.tools.ask.describe import question_for, reading
from stocktake.tools.ask.followup import looks_like_follow_up
from stocktake.tools.ask.model import QueryPlan
from stocktake.tools.ask.read import Reader, Reading
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.text import close_spelling, fold, tokenize
from stocktake.tools.ask.vocab import root


@dataclass(frozen=True)
class AskSettings:
    sure: float = 0.99  # below this score (a word left unexplained), the planner asks back
    suggestions: int = 3
    row_limit: int = 200
    timeout_s: float = 10.0


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


def interpret(question: str, schema: SchemaIndex, previous: QueryPlan | None = None,
              settings: AskSettings = AskSettings(), reader: Reader | None = None) -> Interpretation:
    reader = reader or Reader(schema)
    fresh = reader.read(question)
    chosen, follow = fresh, False
    follows = looks_like_follow_up(tokenize(question))
    if previous is not None and (follows or fresh.plan is None or fresh.score < settings.sure):
        refined = reader.follow_up(question, previous)
        # "and for user 12?" reads on its own too: a question that starts like a follow-up is one, unless it
        # explains clearly less that way
        margin = 0.3 if follows else 0.0
        if refined.plan is not None and (fresh.plan is None or refined.score + margin > fresh.score):
            chosen, follow = refined, True
    if chosen.plan is None:
        return Interpretation("none", None, _nothing(chosen), unexplained=chosen.unexplained, missing=chosen.missing)
    sentence = reading(chosen.plan)
    if chosen.score >= settings.sure:
        return Interpretation("plan", chosen.plan, sentence, chosen.notes, (), (), follow)
    suggestions = suggest(question, chosen, reader, settings)
    if chosen.unexplained:
        understood = f"I understood {sentence.removeprefix('I read this as ').rstrip('.')}, but not " \
                     f"{_quote(chosen.unexplained)}."
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


def _lookalikes(word: str, reader: Reader) -> list[str]:
    w = root(fold(word))
    names = []
    for a in reader.schema.assets.values():
        for c in a.columns:
            if any(close_spelling(w, root(x)) or len(w) > 3 and root(x).startswith(w) for x in c.words):
                names.append(c.name)
    from stocktake.tools.ask.ground import Mention  # noqa: F401 - the docs readings come as mentions

    tokens = tokenize(word)
    names += [m.column for m in reader.grounder.docs(tokens, {0})]
    for folded in reader.grounder.value_index:
        if " " not in folded and not folded.startswith("~") and close_spelling(fold(word), folded):
            names.append(folded)
    return list(dict.fromkeys(names))[:4]


def run_plan(plan: QueryPlan, schema: SchemaIndex, catalog: Catalog,
             settings: AskSettings = AskSettings()) -> PlanResult:
    from stocktake.tools.query import run_select

    compiled: Compiled = compile_plan(plan, schema)
    result = run_select(catalog, compiled.sql, params=list(compiled.params), row_limit=settings.row_limit,
                        timeout_s=settings.timeout_s)
    return PlanResult(plan, compiled.sql, compiled.params, result.columns, result.rows, result.truncated,
                      compiled.labels, compiled.measures, compiled.dropped)
