"""The offline planner: answers the common questions with no LLM, by calling the same tools.

Intent comes from embedding similarity (the packaged MiniLM) between the question and example phrasings in
``prompts/intents.yaml``; asset and column names from fuzzy matching against the catalog; numbers from the
text. Answers come from templates over the tool results and always say that they are from offline mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import yaml

from stocktake.agent.context import ToolContext
from stocktake.prompts import read_prompt

OFFLINE_NOTE = "_(offline mode: no language model is connected, so a fixed planner answered.)_"
GENERIC_TOKENS = {"dataset", "data", "olist", "table", "csv", "the", "of", "and", "name", "u", "ua", "sample"}
KIND_WORDS = {
    "events": ("event", "click", "log", "behaviour", "behavior", "view", "session"),
    "orders": ("order",), "order_items": ("line", "basket"), "products": ("product", "catalog", "item"),
    "users": ("user", "customer"), "reviews": ("review", "rating"),
}


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


def load_intents(available_tools: set[str]) -> list[Intent]:
    raw = yaml.safe_load(read_prompt("intents.yaml"))
    return [
        Intent(name, spec.get("tool"), tuple(spec["examples"]), tuple(spec.get("needs", ())), spec.get("args", {}))
        for name, spec in raw.items() if spec.get("tool") is None or spec["tool"] in available_tools
    ]


class OfflinePlanner:
    def __init__(self, ctx: ToolContext, tool_names: set[str], encoder=None, min_score: float = 0.45):
        self.ctx = ctx
        self.intents = load_intents(tool_names)
        self._encoder = encoder
        self.min_score = min_score

    @cached_property
    def encoder(self):
        from stocktake.vectorstore.embeddings import shared_encoder

        return self._encoder or shared_encoder()

    @cached_property
    def _examples(self) -> tuple[np.ndarray, list[str]]:
        texts, owners = [], []
        for intent in self.intents:
            texts += list(intent.examples)
            owners += [intent.name] * len(intent.examples)
        return np.asarray(self.encoder.encode(texts)), owners

    def plan(self, question: str) -> Plan:
        mentions = find_mentions(question, self.ctx.catalog)
        assets = [m.asset for m in mentions]
        scores = self._intent_scores(_neutralise(question, mentions))
        best = max(scores, key=scores.get)
        if scores[best] < self.min_score:
            return Plan("unknown", None, score=scores[best])
        intent = next(i for i in self.intents if i.name == best)
        args, missing = self._arguments(intent, question, assets)
        return Plan(intent.name, intent.tool, args, scores[best], missing)

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
            numbers = re.findall(r"\b\d+\b", question)
            if not numbers:
                return args, "user"
            args["user"] = numbers[0]
        if intent.name == "duplicates" and re.search(r"\bkeys?\b|\bids?\b", question, re.I):
            args["kind"] = "duplicate_key"
        elif intent.name == "duplicates" and re.search(r"\brows?\b|\brecords?\b", question, re.I):
            args["kind"] = "duplicate_rows"
        return args, None


@dataclass(frozen=True)
class Mention:
    asset: str
    score: float
    position: int
    words: tuple[str, ...]  # the words of the question that named it


def find_mentions(question: str, catalog) -> list[Mention]:
    """Assets named in the question, in order of mention: exact names first, then name parts, then kind words."""
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
    stems = {w.rstrip("s"): pos for w, pos in words.items()} | words
    for asset in assets:
        if any(m.asset == asset.name for m in mentions):
            continue
        parts = [p for p in re.findall(r"[a-z]+", asset.name.lower()) if p not in GENERIC_TOKENS and len(p) > 1]
        hits = [p for p in parts if p in stems or p.rstrip("s") in stems]
        if parts and hits:
            found = [w for w in words if w in hits or w.rstrip("s") in {h.rstrip("s") for h in hits}]
            generic = [w for w in words if w in GENERIC_TOKENS and w in asset.name.lower()]
            mentions.append(Mention(asset.name, len(hits) / len(parts), min(words[w] for w in found),
                                    tuple(found + generic)))
            continue
        kind_hits = [w for w in KIND_WORDS.get(asset.kind, ()) if w in stems]
        if kind_hits:
            found = [w for w in words if w.rstrip("s") in kind_hits or w in kind_hits]
            # Kind words ("user", "click") stay in the question: they carry intent as much as they name assets.
            mentions.append(Mention(asset.name, 0.5, min(words[w] for w in found), ()))
    exact = [m for m in mentions if m.score >= 2.0]
    partial = [m for m in mentions if m.score < 2.0]
    best = max((m.score for m in partial), default=0.0)
    # Partial matches only fill in where fewer than two assets were named exactly, and only the best of them.
    chosen = exact + [m for m in partial if m.score >= best and len(exact) < 2]
    return sorted(chosen, key=lambda m: (m.position, -m.score))


def _neutralise(question: str, mentions: list[Mention]) -> str:
    """Replace the words that named assets by X so that intent matching looks at the phrasing only."""
    for word in sorted({w for m in mentions for w in m.words}, key=len, reverse=True):
        question = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(word)}s?(?![A-Za-z0-9_])", "X", question, flags=re.I)
    return re.sub(r"X(\s+X)+", "X", question)


def help_text(tool_names: set[str]) -> str:
    extra = []
    if "search_schema_docs" in tool_names:
        extra.append("- what a column means or where something is stored, from your schema docs")
    if "train_text_classifier" in tool_names:
        extra.append("- train a product-category classifier, or find mislabelled categories")
    if "train_recommenders" in tool_names:
        extra.append("- train and compare recommenders, and recommend for a user")
    if "start_cleaning" in tool_names:
        extra.append("- run a guided cleaning session (clean X, next step, undo, show the script)")
    return read_prompt("offline_help.md").format(extra="\n".join(extra) + ("\n" if extra else ""))
