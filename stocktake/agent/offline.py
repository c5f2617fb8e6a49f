"""The offline planner: answers questions with no LLM, by calling the same tools.

A question about the catalog itself (what exists, its columns, quality, personal data, how tables join, what
a column means, where something is kept) goes to the tool for it, chosen by the patterns of
``prompts/intents.yaml``; a question about the data's values (counts, totals, top N, per month, one record)
goes to the query planner (``stocktake.tools.ask``), which grounds every word in the catalog and asks back when
a word stays unexplained. Requests to destroy something are refused with what can be done instead, and text
that reads as an instruction to the assistant is cut out before anything is chosen. Nothing here loads the
embedding model: a one-shot ``stocktake ask`` stays a short process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from stocktake.agent.context import ToolContext
from stocktake.errors import StocktakeError
from stocktake.prompts import read_prompt
from stocktake.tools.ask.intents import (IntentSpec, catalog_intents, commanded, is_destructive, load_intents,
                                         split_correction, split_questions, strip_instructions)
from stocktake.tools.ask.model import QueryPlan

OFFLINE_NOTE = "_(offline mode: no language model is connected, so a fixed planner answered.)_"
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
SESSION_ID = re.compile(r"\bcs-[0-9a-f]{8}\b", re.I)
USER_REF = re.compile(r"\b(?:user|customer|visitor|client)s?\s*(?:id\s*)?[#:=]?\s*([a-z0-9_-]*\d[a-z0-9_-]*)\b", re.I)
SQL_START = re.compile(r"^\s*\(?\s*(select|with|insert|update|delete|drop|create|alter|truncate|copy|attach|detach|"
                       r"pragma|set|install|load|export|import|vacuum|checkpoint|grant|merge|replace|call)\b", re.I)
CLEAN_TOOLS = ("next_cleaning_step", "apply_cleaning_step", "reject_cleaning_step", "undo_cleaning_step",
               "redo_cleaning_step", "export_cleaning_script", "finish_cleaning", "discard_cleaning",
               "pick_up_session")
# Catalog intents a question about values may trip over ("how many users have an email address" is a count).
SOFT_INTENTS = ("pii", "list_assets", "asset_columns", "quality_issues", "location", "time_range", "meaning",
                "relations", "source")
DATA_START = re.compile(r"^\W*(how many|how much|number of|count|total|sum|average|avg|mean|median|top \d+|"
                        r"list|show|which (?!(?:table|column|dataset|asset|file|field|source)s?\b)\w+ (has|have|had)|what (is|was|are|were) the (total|average|number|"
                        r"median|share|percentage)|what share|what percentage|give me)\b")


@dataclass(frozen=True)
class PlannerSettings:
    top_values: int = 20
    sample_rows: int = 5


@dataclass(frozen=True)
class Plan:
    intent: str
    tool: str | None
    args: dict = field(default_factory=dict)
    score: float = 0.0
    missing: str | None = None  # what the question lacks for this intent (e.g. "asset")
    status: str = "answered"  # answered, clarify, refused, unknown
    reading: str = ""
    suggestions: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # text cut out because it reads as instructions to the assistant
    parts: tuple[Plan, ...] = ()
    notes: tuple[str, ...] = ()
    query: QueryPlan | None = None


class OfflinePlanner:
    def __init__(self, ctx: ToolContext, tool_names: set[str], settings: PlannerSettings = PlannerSettings()):
        self.ctx = ctx
        self.tool_names = set(tool_names)
        self.intents = load_intents(self.tool_names)
        self.by_name = {i.name: i for i in self.intents}
        self.settings = settings

    def plan(self, question: str, previous: QueryPlan | None = None) -> Plan:
        if not question.strip():
            raise StocktakeError('The question is empty: ask something, e.g. "which assets exist?".')
        if "run_sql" in self.tool_names and is_sql(question):
            return Plan("sql", "run_sql", {"query": question.strip()}, 1.0,
                        reading="I read this as SQL, and ran it as typed (read-only).")
        text, cut = strip_instructions(question)
        if cut:  # nothing is chosen by text that tells the assistant what to do; the question may be asked alone
            rest = text if len(text.split()) >= 2 and not is_destructive(text) else ""
            return Plan("refuse", None, status="refused", ignored=cut, suggestions=(rest,) if rest else (),
                        reading="Part of this reads as instructions to me rather than a question about your data, "
                                "so I did not act on any of it.")
        corrected = split_correction(text)
        if corrected is not None:
            first = self._one(corrected[0], previous)
            answer = self._one(corrected[1], first.query or previous)
            return replace(answer, notes=(f"I read “{corrected[1]}” as a correction of “{corrected[0]}”.",
                                          *answer.notes))
        parts = split_questions(text)
        if len(parts) > 1:
            planned: list[Plan] = []
            for part in parts:  # "how many from germany, and how many from france": each part follows the last
                planned.append(self._one(part, previous))
                previous = planned[-1].query or previous
            return Plan("compound", None, parts=tuple(planned),
                        reading=f"I read this as {len(parts)} questions, answered one by one.")
        return self._one(text, previous)

    # ---- one question ------------------------------------------------------------------------------------
    def _one(self, question: str, previous: QueryPlan | None) -> Plan:
        command = commanded(question, self.intents)
        if command is not None and command.name == "help":
            return Plan("help", None, reading="I read this as a request for help.")
        if command is not None and command.name == "clean_discard":
            return self._intent(command, question)
        if is_destructive(question):
            return refusal(question)
        if command is not None:
            return self._intent(command, question)
        return self._question(question, previous)

    def _question(self, question: str, previous: QueryPlan | None) -> Plan:
        from stocktake.tools.ask.answer import interpret
        from stocktake.tools.ask.followup import looks_like_follow_up
        from stocktake.tools.ask.text import tokenize

        found = catalog_intents(question, self.intents)
        if previous is not None and looks_like_follow_up(tokenize(question)):
            found = [f for f in found if f[0].name not in SOFT_INTENTS]
        data = None
        if not found or found[0][0].name in SOFT_INTENTS or found[0][0].name == "asset_size":
            data = interpret(question, self.ctx.schema(), previous)
            conditioned = data.plan is not None and bool(data.plan.filters or data.plan.group_by or data.plan.compares)
            if found and found[0][0].name == "asset_size" and not conditioned:
                return self._intent(found[0][0], question)  # "how many rows does orders have"
            if data.status == "plan" and (not found or DATA_START.search(question.lower()) or data.follow_up
                                          or conditioned and found[0][0].name == "asset_size"):
                return self._data(data)
        if found:
            return self._intent(found[0][0], question)
        if data is not None and data.status == "clarify":
            return Plan("clarify", None, status="clarify", reading=data.reading, suggestions=data.suggestions,
                        query=data.plan)
        return Plan("unknown", None, status="unknown", reading=(data.reading if data else "") or
                    "I couldn't map that question to something I can answer offline.")

    def _data(self, data) -> Plan:
        args = data.plan.model_dump(mode="json", exclude_defaults=True)
        return Plan("data", "query_data", args, 1.0, reading=data.reading, notes=data.notes, query=data.plan)

    # ---- catalog intents -----------------------------------------------------------------------------------
    def _intent(self, intent: IntentSpec, question: str) -> Plan:
        if intent.tool is None:
            return Plan(intent.name, None, reading="I read this as a request for help.")
        if intent.name == "meaning" and "find_data" in self.tool_names and self._documented_column(question):
            intent = replace(intent, tool="find_data")
        elif intent.name == "meaning" and "find_data" in self.tool_names and not self._has_docs():
            intent = replace(intent, tool="find_data")  # no docs at all: what the data says about it
        assets = self._assets(question)
        args, missing = self._arguments(intent, question, assets)
        sentence = reading_of(intent.name, args)
        return Plan(intent.name, intent.tool, args, 1.0, missing, reading=sentence)

    def _documented_column(self, question: str) -> bool:
        """The question names a column the schema docs describe: its own doc text answers "what does it mean"."""
        from stocktake.tools.ask.locate import locate

        places = locate(question, self.ctx.schema(), n=1)
        return bool(places) and places[0].column is not None and bool(places[0].doc) and places[0].score >= 0.8

    def _has_docs(self) -> bool:
        from stocktake.tools.ask.glossary import documents_indexed

        return documents_indexed(self.ctx.catalog)

    def _assets(self, question: str) -> list[str]:
        """Assets the question names: by name, then by the nouns for their rows; in order of mention."""
        from stocktake.tools.ask.ground import Grounder
        from stocktake.tools.ask.text import tokenize

        schema = self.ctx.schema()
        found = Grounder(schema).ground(tokenize(question))
        mentions = [m for m in found if m.kind == "asset" and m.score >= 0.45 and not _inside_wider(m, found)]
        if not mentions:  # "what period do the ratings cover": the asset of the column named
            mentions = [m for m in found if m.kind == "column" and m.how in ("name", "part") and m.score >= 0.8]
        best: dict[str, tuple[float, int]] = {}
        for m in mentions:
            if m.asset not in best or m.score > best[m.asset][0]:
                best[m.asset] = (m.score, m.start)
        named = [a for a, (s, _) in best.items() if s >= 0.75] or [a for a, (s, _) in best.items() if s >= 0.45]
        return sorted(named, key=lambda a: best[a][1])

    def _arguments(self, intent: IntentSpec, question: str, assets: list[str]) -> tuple[dict, str | None]:
        args = dict(intent.args)
        tool = intent.tool
        names = self.ctx.catalog.names()
        if not assets and len(names) == 1 and tool not in CLEAN_TOOLS:
            assets = names  # one asset in the catalog: "describe the data" is about it
        if tool in ("describe_asset", "train_text_classifier", "audit_labels", "train_recommenders", "start_cleaning",
                    "show_issue_rows"):
            if not assets:
                return args, "asset"
            args["asset"] = assets[0]
            if tool == "show_issue_rows":
                from stocktake.agent.tools.issues import issue_arguments

                args.update(issue_arguments(self.ctx, question, assets[0]))
        elif tool in ("quality_issues", "compare_recommenders", "find_personal_data") and assets:
            args["asset"] = assets[0]
        elif tool == "inventory_report" and assets:
            args["assets"] = assets
        elif tool == "find_relationships":
            if assets:
                args["asset"] = assets[0]
            if len(assets) > 1:
                args["other"] = assets[1]
        elif tool in ("search_schema_docs", "find_data"):
            args["question"] = question
        elif tool == "recommend_for_user":
            named = USER_REF.search(question)
            numbers = re.findall(r"\b\d+\b", question)
            if not named and not numbers:
                return args, "user"
            args["user"] = named.group(1) if named else numbers[-1]
        elif tool in CLEAN_TOOLS:
            return cleaning_arguments(tool, question, args)
        if intent.name == "duplicates" and re.search(r"\bkeys?\b|\bids?\b", question, re.I):
            args["kind"] = "duplicate_key"
        elif intent.name == "duplicates" and re.search(r"\brows?\b|\brecords?\b", question, re.I):
            args["kind"] = "duplicate_rows"
        return args, None


def _inside_wider(m, mentions) -> bool:
    """"order reviews" names the reviews table, not orders as well."""
    return any(o is not m and o.kind == "asset" and o.asset != m.asset and o.start <= m.start and m.end <= o.end
               and o.width > m.width for o in mentions)


def cleaning_arguments(tool: str, question: str, args: dict) -> tuple[dict, str | None]:
    """A session id the question names ("cs-1a2b3c4d"), and a step: "s2", "step 2" or "the second step"."""
    session = SESSION_ID.search(question)
    if session:
        args["session_id"] = session.group().lower()
    if tool in ("apply_cleaning_step", "reject_cleaning_step", "undo_cleaning_step"):
        text = SESSION_ID.sub(" ", question.lower())
        step = re.search(r"\bs(\d+)\b", text) or re.search(r"\bstep\s*#?(\d+)\b", text)
        ordinal = re.search(rf"\b({'|'.join(ORDINALS)})\b", text)
        if step:
            args["step_id"] = f"s{int(step.group(1))}"
        elif ordinal:
            args["step_id"] = f"s{ORDINALS[ordinal.group(1)]}"
        elif tool == "reject_cleaning_step":
            return args, "step"
    if tool == "pick_up_session" and "session_id" not in args:
        return args, "session"
    return args, None


READINGS = {
    "list_assets": "the list of assets", "largest_assets": "the assets by size",
    "asset_size": "the size of {asset}", "asset_columns": "the columns of {asset}",
    "time_range": "the time range of {asset}", "quality_issues": "the quality issues{of}",
    "missing_values": "the missing values{of}", "duplicates": "the duplicates{of}",
    "pii": "the columns holding personal data{of}", "relations": "the relationships{of}",
    "orphans": "the rows whose key has no match{of}", "meaning": "what the schema docs and the data say about it",
    "location": "where that is kept", "source": "where {asset} was loaded from", "list_models": "the trained models", "best_model": "the models compared",
    "list_sources": "the connected live sources",
    "recommend_for_user": "recommendations for user {user}", "inventory_report": "a request for the inventory report",
    "clean_start": "a request to start cleaning {asset}", "clean_next": "a request for the next cleaning step",
    "clean_accept": "a request to accept a cleaning step", "clean_reject": "a request to reject a cleaning step",
    "clean_finish": "a request to finish cleaning and save", "clean_discard": "a request to discard the cleaning session",
    "clean_undo": "a request to undo a cleaning decision", "clean_redo": "a request to redo a cleaning decision",
    "clean_script": "a request for the cleaning script", "clean_pick_up": "a request to pick up a cleaning session",
    "classify_train": "a request to train a classifier on {asset}", "classify_audit": "a request to audit the labels of {asset}",
    "recommend_train": "a request to train recommenders on {asset}",
    "issue_rows": "a request for example rows with a quality issue{of}",
}


def reading_of(intent: str, args: dict) -> str:
    template = READINGS.get(intent)
    if template is None:
        return f"I read this as a request to {intent.replace('_', ' ')}."
    of = f" of {args['asset']}" + (f" and {args['other']}" if args.get("other") else "") if args.get("asset") else ""
    return "I read this as " + template.format(of=of, asset=args.get("asset", "?"), user=args.get("user", "?")) + "."


def refusal(question: str) -> Plan:
    """A request to destroy data or models: refused, with what can be done instead."""
    text = ("I won't delete or change data from a question, and nothing was changed. What you can do instead:\n"
            "- remove an asset from the catalog: `stocktake remove NAME` (it asks for confirmation; your source "
            "files are never touched, and its snapshots stay until you run `stocktake doctor`);\n"
            "- drop rows or columns: start a cleaning session (*\"start cleaning orders\"*): every step is previewed "
            "and undoable, saving the result asks first, and it is a new version, the old one kept;\n"
            "- models stay in the registry (`stocktake models`); a newer model supersedes an older one.")
    return Plan("refuse", None, status="refused", args={"message": text},
                reading="I read this as a request to delete or destroy something.")


def is_sql(question: str) -> bool:
    """Whether the question is a SQL statement (it starts with a SQL keyword and parses as SQL)."""
    if not SQL_START.match(question):
        return False
    import duckdb

    try:
        return bool(duckdb.extract_statements(question.strip().rstrip(";")))
    except duckdb.Error:  # "update me on the orders" starts like SQL and is English
        return False


def help_text(tool_names: set[str]) -> str:
    extra = []
    if "query_data" in tool_names:
        extra.append('- counts, totals, averages and shares, per group or per month — *"revenue by category last '
                     'month"*, *"how many orders were cancelled in 2023?"*')
        extra.append('- top N and single records — *"top 5 products by revenue"*, *"order 1000517"*, and follow-ups '
                     'such as *"and only the cancelled ones?"*')
    if "run_sql" in tool_names:
        extra.append('- your own read-only query — *"SELECT * FROM orders LIMIT 5"*')
    if "list_models" in tool_names:
        extra.append('- which models are trained — *"what models do we have?"*')
    if "list_sources" in tool_names:
        extra.append('- which live sources (databases, APIs, logs) are connected — *"what sources are connected?"*')
    if "search_schema_docs" in tool_names:
        extra.append("- what a column means or where something is stored, from your schema docs")
    if "train_text_classifier" in tool_names:
        extra.append("- train a product-category classifier, or find mislabelled categories")
    if "train_recommenders" in tool_names:
        extra.append("- train and compare recommenders, and recommend for a user")
    if "start_cleaning" in tool_names:
        extra.append("- run a guided cleaning session in this conversation (start cleaning X, next step, accept s1, "
                     "reject s2, undo, redo, finish cleaning and save, discard, show the script)")
    return read_prompt("offline_help.md").format(extra="\n".join(extra) + ("\n" if extra else ""))
