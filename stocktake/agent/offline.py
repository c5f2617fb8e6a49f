"""The offline planner: answers the common questions with no LLM, by calling the same tools.

Intent comes from embedding similarity (the packaged MiniLM) between the question and example phrasings in
``prompts/intents.yaml``; asset and column names from fuzzy matching against the catalog (plurals and small
typos included); numbers from the text. An intent that acts (trains, writes a file, opens a session) wins only
when the question clearly asks for it. Answers come from templates over the tool results and always say that
they are from offline mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import yaml

from stocktake.agent.context import ToolContext
from stocktake.errors import StocktakeError
from stocktake.prompts import read_prompt

OFFLINE_NOTE = "_(offline mode: no language model is connected, so a fixed planner answered.)_"
GENERIC_TOKENS = {"dataset", "data", "olist", "table", "csv", "the", "of", "and", "name", "u", "ua", "sample"}
KIND_WORDS = {
    "events": ("event", "click", "log", "behaviour", "behavior", "view", "session"),
    "orders": ("order",), "order_items": ("line", "basket"), "products": ("product", "catalog", "item"),
    "users": ("user", "customer"), "reviews": ("review", "rating"),
}


ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
SESSION_ID = re.compile(r"\bcs-[0-9a-f]{8}\b", re.I)
# "user 42", "customer id 7", "visitor #u-19": the id of a user named in the question.
USER_REF = re.compile(r"\b(?:user|customer|visitor|client)s?\s*(?:id\s*)?[#:=]?\s*([a-z0-9_-]*\d[a-z0-9_-]*)\b", re.I)
# "distinct users", "unique categories": the thing whose different values a question counts.
DISTINCT_OF = re.compile(r"\b(?:distinct|unique|different)\s+([a-z][a-z0-9_]*)", re.I)
# A question that is a SQL statement: SELECT and WITH run as typed (read-only); the others are refused by run_sql.
SQL_START = re.compile(r"^\s*\(?\s*(select|with|insert|update|delete|drop|create|alter|truncate|copy|attach|detach|"
                       r"pragma|set|install|load|export|import|vacuum|checkpoint|grant|merge|replace|call)\b", re.I)
CLEAN_TOOLS = ("next_cleaning_step", "apply_cleaning_step", "reject_cleaning_step", "undo_cleaning_step",
               "redo_cleaning_step", "export_cleaning_script", "finish_cleaning", "discard_cleaning")


@dataclass(frozen=True)
class PlannerSettings:
    min_score: float = 0.45  # below this similarity the question is not mapped at all
    # An intent that acts must beat the best read-only intent by this much: "what is the data quality of X"
    # reads the quality report, it does not open a cleaning session.
    act_margin: float = 0.1
    top_values: int = 20  # rows of a value count when the question names no number
    max_top_values: int = 100
    sample_rows: int = 5  # rows shown when the question asks for some rows and names no number


@dataclass(frozen=True)
class Plan:
    intent: str
    tool: str | None
    args: dict = field(default_factory=dict)
    score: float = 0.0
    missing: str | None = None  # what the question lacks for this intent (e.g. "asset")


@dataclass(frozen=True)
class Intent:
    name: str
    tool: str | None
    examples: tuple[str, ...]
    needs: tuple[str, ...] = ()
    args: dict = field(default_factory=dict)
    acts: bool = False  # has side effects (trains, writes files, opens a session)
    command: re.Pattern | None = None  # a request that starts this way is this intent, whatever the scores say


def load_intents(available_tools: set[str]) -> list[Intent]:
    raw = yaml.safe_load(read_prompt("intents.yaml"))
    return [
        Intent(name, spec.get("tool"), tuple(spec["examples"]), tuple(spec.get("needs", ())), spec.get("args", {}),
               bool(spec.get("acts")), re.compile(spec["command"], re.I) if spec.get("command") else None)
        for name, spec in raw.items() if spec.get("tool") is None or spec["tool"] in available_tools
    ]


class OfflinePlanner:
    def __init__(self, ctx: ToolContext, tool_names: set[str], encoder=None,
                 settings: PlannerSettings = PlannerSettings()):
        self.ctx = ctx
        self.tool_names = set(tool_names)
        self.intents = {i.name: i for i in load_intents(tool_names)}
        self._encoder = encoder
        self.settings = settings

    @cached_property
    def encoder(self):
        from stocktake.vectorstore.embeddings import shared_encoder

        return self._encoder or shared_encoder()

    @cached_property
    def _examples(self) -> tuple[np.ndarray, list[str]]:
        texts, owners = [], []
        for intent in self.intents.values():
            texts += list(intent.examples)
            owners += [intent.name] * len(intent.examples)
        return np.asarray(self.encoder.encode(texts)), owners

    @cached_property
    def _known_words(self) -> frozenset[str]:
        """The encoder's vocabulary: a real word ("older", "version") is never taken for a misspelt asset name."""
        tokenizer = getattr(getattr(self.encoder, "model", None), "tokenizer", None)
        return frozenset(tokenizer.get_vocab()) if tokenizer is not None else frozenset()

    def plan(self, question: str) -> Plan:
        if not question.strip():
            raise StocktakeError('The question is empty: ask something, e.g. "which assets exist?".')
        if "run_sql" in self.tool_names and is_sql(question):
            return Plan("sql", "run_sql", {"query": question.strip()}, 1.0)
        mentions = find_mentions(question, self.ctx.catalog, self._known_words)
        # An asset named exactly goes before one a kind word hints at ("a cleaning session on reviews").
        assets = [m.asset for m in sorted(mentions, key=lambda m: m.score < 2.0)]
        scores = self._intent_scores(_neutralise(question, mentions, self.ctx.catalog))
        commanded = next((n for n, i in self.intents.items() if i.command and i.command.search(question)), None)
        if commanded:  # an explicit request to act ("start cleaning users") is not second-guessed by similarity
            scores[commanded] = max(scores[commanded], 1.0)
        best = commanded or self._choose(scores)
        args, missing = self._arguments(self.intents[best], question, assets)
        if missing == "column" and best == "distinct_count":  # a count the planner can't write: said so
            return Plan("needs_llm", None, score=scores[best])
        if missing == "column":  # nothing to count values of: the next best intent answers instead
            best = self._choose({n: s for n, s in scores.items() if n != best})
            args, missing = self._arguments(self.intents[best], question, assets)
        if scores[best] < self.settings.min_score:
            return Plan("unknown", None, score=scores[best])
        return Plan(best, self.intents[best].tool, args, scores[best], missing)

    def _choose(self, scores: dict[str, float]) -> str:
        """The best intent, where one that acts must clearly beat the best read-only one."""
        best = max(scores, key=scores.get)
        reading = max((n for n in scores if not self.intents[n].acts), key=scores.get, default=None)
        if self.intents[best].acts and reading and scores[best] < scores[reading] + self.settings.act_margin:
            return reading
        return best

    def _intent_scores(self, question: str) -> dict[str, float]:
        vectors, owners = self._examples
        sims = vectors @ np.asarray(self.encoder.encode([question])[0])
        scores: dict[str, float] = {}
        for owner, sim in zip(owners, sims):
            scores[owner] = max(scores.get(owner, -1.0), float(sim))
        return scores

    def _arguments(self, intent: Intent, question: str, assets: list[str]) -> tuple[dict, str | None]:
        args = dict(intent.args)
        tool = intent.tool
        if tool in ("describe_asset", "train_text_classifier", "audit_labels", "train_recommenders", "start_cleaning"):
            if not assets:
                return args, "asset"
            args["asset"] = assets[0]
        elif tool in ("quality_issues", "compare_recommenders") and assets:
            args["asset"] = assets[0]
        elif tool == "inventory_report" and assets:
            args["assets"] = assets
        elif tool == "find_relationships":
            if assets:
                args["asset"] = assets[0]
            if len(assets) > 1:
                args["other"] = assets[1]
        elif tool == "search_schema_docs":
            args["question"] = question
        elif tool == "recommend_for_user":
            named = USER_REF.search(question)
            numbers = re.findall(r"\b\d+\b", question)
            if not named and not numbers:
                return args, "user"
            args["user"] = named.group(1) if named else numbers[-1]
        elif tool == "find_personal_data" and assets:
            args["asset"] = assets[0]
        elif tool == "run_sql" and intent.name == "sample_rows":
            if not assets:
                return args, "asset"
            n = self._number(question, self.settings.sample_rows)
            args["query"] = f"SELECT * FROM {_identifier(assets[0])} LIMIT {n}"
        elif tool == "run_sql" and intent.name == "distinct_count":
            query = self._distinct_query(question, assets)
            if query is None:
                return args, "column"
            args["query"] = query
        elif tool == "run_sql":
            if not assets:
                return args, "asset"
            counted = self._counted_column(question, assets[0])
            if counted is None:
                return args, "column"
            args["query"] = count_query(assets[0], *counted, self._number(question, self.settings.top_values))
        elif tool in CLEAN_TOOLS:
            return self._cleaning_arguments(intent, question, args)
        if intent.name == "duplicates" and re.search(r"\bkeys?\b|\bids?\b", question, re.I):
            args["kind"] = "duplicate_key"
        elif intent.name == "duplicates" and re.search(r"\brows?\b|\brecords?\b", question, re.I):
            args["kind"] = "duplicate_rows"
        return args, None

    def _number(self, question: str, default: int) -> int:
        numbers = [int(n) for n in re.findall(r"\b\d+\b", question)]
        return min(max(numbers[0], 1), self.settings.max_top_values) if numbers else default

    def _cleaning_arguments(self, intent: Intent, question: str, args: dict) -> tuple[dict, str | None]:
        """A session id the question names ("cs-1a2b3c4d"), and a step: "s2", "step 2" or "the second step"."""
        session = SESSION_ID.search(question)
        if session:
            args["session_id"] = session.group().lower()
        if intent.tool in ("apply_cleaning_step", "reject_cleaning_step", "undo_cleaning_step"):
            text = SESSION_ID.sub(" ", question.lower())
            step = re.search(r"\bs(\d+)\b", text) or re.search(r"\bstep\s*#?(\d+)\b", text)
            ordinal = re.search(rf"\b({'|'.join(ORDINALS)})\b", text)
            if step:
                args["step_id"] = f"s{int(step.group(1))}"
            elif ordinal:
                args["step_id"] = f"s{ORDINALS[ordinal.group(1)]}"
            elif intent.tool == "reject_cleaning_step":
                return args, "step"
        return args, None

    def _distinct_query(self, question: str, assets: list[str]) -> str | None:
        """COUNT(DISTINCT) of the column that holds the thing counted ("distinct users" is user_id), in the
        asset named for where it occurs ("placed orders" is orders); None where no asset has such a column."""
        counted = DISTINCT_OF.search(question)
        if counted is None:
            return None
        noun = _singular(counted.group(1).lower())
        named = [m.asset for m in find_mentions(counted.group(1), self.ctx.catalog, self._known_words)]
        terms = {noun} | {_singular(p) for a in named for p in _name_parts(a)}
        keys = {k for t in terms for k in (t, f"{t}_id", f"{t}id")}
        # The counted thing's own table counts last: its rows are the things, where another table refers to them.
        for asset in sorted(assets, key=lambda a: a in named):
            column = next((c.name for c in self.ctx.catalog.get(asset).columns if _singular(c.name.lower()) in keys),
                          None)
            if column is not None:
                col = _identifier(column)
                return (f"SELECT COUNT(DISTINCT {col}) AS {_identifier('distinct ' + column)}, COUNT({col}) AS "
                        f"{_identifier('rows with ' + column)}, COUNT(*) AS rows FROM {_identifier(asset)}")
        return None

    def _counted_column(self, question: str, asset: str) -> tuple[str, str | None] | None:
        """The column to count values of: one the question names ("categories"), or one holding a value it
        names ("cancelled" is a status), with that value."""
        words = {_singular(w) for w in re.findall(r"[a-z0-9_]+", question.lower())}
        columns = [c.name for c in self.ctx.catalog.get(asset).columns]
        named = [c for c in columns if _singular(c.lower()) in words]
        if named:
            return named[0], None
        from stocktake.tools.profile import profile_asset

        for column in profile_asset(self.ctx.catalog, asset).columns:
            value = next((str(v) for v, _ in column.top_values if _singular(str(v).lower()) in words), None)
            if value is not None:
                return column.name, value
        return None


def is_sql(question: str) -> bool:
    """Whether the question is a SQL statement (it starts with a SQL keyword and parses as SQL)."""
    if not SQL_START.match(question):
        return False
    import duckdb

    try:
        return bool(duckdb.extract_statements(question.strip().rstrip(";")))
    except duckdb.Error:  # "update me on the orders" starts like SQL and is English
        return False


def count_query(asset: str, column: str, value: str | None, n: int) -> str:
    """Rows per value of one column, the value asked about first, as read-only SQL."""
    col, table = _identifier(column), _identifier(asset)
    first = f"{col} = '{value.replace(chr(39), chr(39) * 2)}' DESC, " if value is not None else ""
    return (f"SELECT {col}, COUNT(*) AS n, ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 1) AS percent "
            f"FROM {table} GROUP BY 1 ORDER BY {first}n DESC LIMIT {n}")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Mention:
    asset: str
    score: float
    position: int
    words: tuple[str, ...]  # the words of the question that named it


def find_mentions(question: str, catalog, known_words: frozenset[str] = frozenset()) -> list[Mention]:
    """Assets named in the question, in order of mention: exact names first, then name parts, then kind words.

    Name parts and kind words match in the singular or plural, and misspelt by a letter or two ("ordrs"),
    unless the word is a real one the encoder knows (``known_words``).
    """
    text = question.lower()
    mentions: list[Mention] = []
    assets = catalog.list_assets()
    for asset in sorted(assets, key=lambda a: -len(a.name)):
        name = asset.name.lower()
        match = re.search(rf"(?<![a-z0-9_]){re.escape(name)}(?![a-z0-9_])", text)
        if match:
            mentions.append(Mention(asset.name, 2.0, match.start(), (name,)))
            text = text[:match.start()] + " " * len(name) + text[match.end():]  # a name is used once
    # "user 42" or "order 1001" names a record, not a table.
    record_refs = set(re.findall(r"([a-z]+)\s+#?\d+", text))
    words = {m.group(): m.start() for m in re.finditer(r"[a-z0-9]+", text) if m.group() not in record_refs}
    terms = {t for a in assets for t in (*_name_parts(a.name), *KIND_WORDS.get(a.kind, ()))}
    spelled = {w: _singular(_respell(w, terms, known_words)) for w in words}

    def said(term: str) -> list[str]:
        return [w for w in words if spelled[w] == _singular(term)]

    for asset in assets:
        if any(m.asset == asset.name for m in mentions):
            continue
        parts = _name_parts(asset.name)
        hits = [p for p in parts if said(p)]
        if hits:
            found = [w for p in hits for w in said(p)]
            generic = [w for w in words if w in GENERIC_TOKENS and w in asset.name.lower()]
            mentions.append(Mention(asset.name, len(hits) / len(parts), min(words[w] for w in found),
                                    tuple(found + generic)))
            continue
        kind_hits = [w for k in KIND_WORDS.get(asset.kind, ()) for w in said(k)]
        if kind_hits:
            # Kind words ("user", "click") stay in the question: they carry intent as much as they name assets.
            mentions.append(Mention(asset.name, 0.5, min(words[w] for w in kind_hits), ()))
    exact = [m for m in mentions if m.score >= 2.0]
    partial = [m for m in mentions if m.score < 2.0]
    best = max((m.score for m in partial), default=0.0)
    # Partial matches only fill in where fewer than two assets were named exactly, and only the best of them.
    chosen = exact + [m for m in partial if m.score >= best and len(exact) < 2]
    return sorted(chosen, key=lambda m: (m.position, -m.score))


def _name_parts(name: str) -> list[str]:
    return [p for p in re.findall(r"[a-z]+", name.lower()) if p not in GENERIC_TOKENS and len(p) > 1]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _respell(word: str, terms: set[str], known_words: frozenset[str]) -> str:
    """The term a misspelt word stands for; the word itself when it is a real word or close to no term."""
    if len(word) < 5 or word in terms or _singular(word) in terms or word in known_words:
        return word
    close = [t for t in terms if t[0] == word[0] and _edits(word, t) <= (1 if len(t) <= 6 else 2)]
    return min(close, key=lambda t: _edits(word, t)) if close else word


def _edits(a: str, b: str) -> int:
    """Edit distance, a swap of neighbouring letters counting as one edit."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb)))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _neutralise(question: str, mentions: list[Mention], catalog) -> str:
    """Replace the words that named assets by X, and column identifiers by "the column", so that intent
    matching looks at the phrasing only ("what is the meaning of event_type")."""
    columns = {c.name.lower() for a in catalog.list_assets() for c in a.columns}

    def column(match: re.Match) -> str:
        ident = match.group().lower()
        is_column = ident.split(".")[-1] in columns and ("." in ident or "_" in ident)
        return "the column" if is_column else match.group()

    question = re.sub(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?", column, SESSION_ID.sub("the session", question))
    for word in sorted({w for m in mentions for w in m.words}, key=len, reverse=True):
        question = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(word)}s?(?![A-Za-z0-9_])", "X", question, flags=re.I)
    return re.sub(r"X(\s+X)+", "X", question)


def help_text(tool_names: set[str]) -> str:
    extra = []
    if "run_sql" in tool_names:
        extra.append('- how often each value of a column occurs — *"how many orders were cancelled?"*')
        extra.append('- a few rows of an asset, or your own read-only query — *"SELECT * FROM orders LIMIT 5"*')
    if "list_models" in tool_names:
        extra.append('- which models are trained — *"what models do we have?"*')
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
