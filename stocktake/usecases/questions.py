"""Questions about the data: a checked query plan run and masked, a read-only SQL statement run and masked, and
where a thing is kept (the assets and columns a question's words name, with what the data says about each)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stocktake.errors import StocktakeError
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.ask.answer import PlanResult
    from stocktake.tools.ask.locate import Place
    from stocktake.tools.ask.model import QueryPlan
    from stocktake.tools.ask.schema import AssetInfo, ColumnInfo
    from stocktake.tools.query import QueryResult
    from stocktake.usecases.profiling import PersonalFinding


@dataclass(frozen=True)
class PlanAnswer:
    """A plan's result, personal values masked, and the plan in words ("I read this as …")."""
    result: PlanResult
    reading: str

    def to_dict(self) -> dict:
        r = self.result
        return {"plan": r.plan.model_dump(mode="json"), "sql": r.sql, "params": list(r.params),
                "columns": list(r.columns), "rows": [list(row) for row in r.rows], "truncated": r.truncated,
                "labels": list(r.labels), "measures": list(r.measures), "dropped": list(r.dropped),
                "notes": list(r.notes), "reading": self.reading}


@dataclass(frozen=True)
class Found:
    """A place a question's words name, with what the data says about it: its asset and, for a column, the
    column; a personal column's values (top values, lowest and highest) are left out."""
    place: Place
    asset: AssetInfo
    column: ColumnInfo | None


def run_plan(services: Services, plan: QueryPlan) -> PlanAnswer:
    """Compile and run a plan over the catalog through the read-only SQL path, its result masked."""
    from stocktake.tools.ask.answer import run_plan as answer
    from stocktake.tools.ask.describe import reading

    for name in plan.assets():
        services.asset(name)  # an unknown name: an error that lists the real ones
    with services.reading_profiles():
        try:
            result = answer(plan, services.schema(), services.catalog, services.settings.guard)
        except KeyError as exc:
            raise StocktakeError(f"No column {exc.args[0]}: use the exact column names of the asset "
                                 "(describe_asset lists them).") from None
    return PlanAnswer(result, reading(result.plan))


def run_sql(services: Services, query: str) -> QueryResult:
    """One read-only SELECT over the assets, within the guard's limits; personal values masked."""
    from stocktake.tools.profile import select_masked

    with services.reading_profiles():
        return select_masked(services.catalog, query, settings=services.settings.guard)


def find_data(services: Services, question: str) -> tuple[Found, ...]:
    """The assets and columns the words of ``question`` name, best first."""
    from stocktake.tools.ask.locate import locate

    with services.reading_profiles():
        schema = services.schema()
        return tuple(Found(p, schema.assets[p.asset], _shown_column(services, schema, p))
                     for p in locate(question, schema))


def personal_data_for(services: Services, words: tuple[str, ...]) -> tuple[PersonalFinding, ...]:
    """Where the personal data that ``words`` ask for is (no column being named for it): the columns that hold it
    by their values' type, and the free texts the profiler found it in. Nothing when no word asks for any."""
    from stocktake.tools.ask.ground import SEMANTIC_WORDS
    from stocktake.tools.ask.text import fold
    from stocktake.tools.ask.vocab import root
    from stocktake.usecases.profiling import personal_data

    asked = {root(fold(w)) for w in words}
    kinds = {kind for kind in ("email", "phone") if asked & {root(w) for w in SEMANTIC_WORDS[kind]}}
    if not kinds:
        return ()
    with services.reading_profiles():
        found = personal_data(services).columns
    # A column typed so says "<semantic type> values" (stocktake.tools.profile.personal).
    return tuple(f for f in found if f.column.rows is not None or f.column.reason in {f"{k} values" for k in kinds})


def _shown_column(services: Services, schema, place: Place) -> ColumnInfo | None:
    if place.column is None:
        return None
    column = schema.column(place.asset, place.column)
    personal = services.settings.guard.mask_pii and place.column in services.personal_columns(place.asset)
    return replace(column, top_values=(), minimum=None, maximum=None) if personal else column
