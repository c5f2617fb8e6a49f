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
        assets = find_assets(question, self.ctx.catalog)
        scores = self._intent_scores(_neutralise(question, assets))
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
        return args, None


def find_assets(question: str, catalog) -> list[str]:
    """Asset names mentioned in the question, best match first, by exact name, name parts or kind words."""
    text = question.lower()
    words = set(re.findall(r"[a-z0-9]+", text))
    stems = words | {w.rstrip("s") for w in words}
    scored = []
    for asset in catalog.list_assets():
        name = asset.name.lower()
        position = text.find(name)
        if position >= 0 and re.search(rf"(?<![a-z0-9_]){re.escape(name)}(?![a-z0-9_])", text):
            scored.append((2.0 + len(name) / 100, position, asset.name))
            continue
        parts = [p for p in re.findall(r"[a-z]+", name) if p not in GENERIC_TOKENS and len(p) > 1]
        hits = [p for p in parts if p in stems or p.rstrip("s") in stems]
        if parts and hits:
            first = min(text.find(h.rstrip("s")) for h in hits)
            scored.append((len(hits) / len(parts), first, asset.name))
            continue
        kind_hits = [w for w in KIND_WORDS.get(asset.kind, ()) if w in stems]
        if kind_hits:
            scored.append((0.5, min(text.find(w) for w in kind_hits), asset.name))
    best = max((s[0] for s in scored), default=0)
    # Strong matches only when there are any; among equals, keep the order of mention (for "X join Y").
    chosen = [s for s in scored if s[0] >= min(best, 1.0) * 0.99 or s[0] >= 1.0]
    return [name for _, _, name in sorted(chosen, key=lambda s: (s[1], -s[0]))]


def _neutralise(question: str, assets: list[str]) -> str:
    """Replace asset names by X so that intent matching looks at the phrasing, not at the names."""
    for name in assets:
        question = re.sub(re.escape(name), "X", question, flags=re.I)
    return question


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
