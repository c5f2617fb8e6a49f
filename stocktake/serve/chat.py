"""Assistant events → Gradio chat messages: one pure generator, plus the Markdown tables shown inline.

Nothing here imports Gradio: messages are the ``{"role", "content", "metadata"}`` dicts that ``gr.Chatbot``
takes, so the mapping is tested without a browser. A tool call is a collapsible step (its ``metadata`` has a
title, an id, a status and a duration); its table or chart, when it has one, follows as a visible message.
Stopping a turn closes the generator, which closes the assistant's stream at once; ``mark_stopped`` then
leaves what was shown, with its running steps closed and a short marker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from stocktake.agent.events import (Answer, ConfirmationNeeded, Event, TextDelta, ToolFinished, ToolProgress,
                                    ToolStarted)
from stocktake.errors import StocktakeError
from stocktake.numbers import is_identifier, is_number, measure_text, metric_text, value_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatSettings:
    result_lines: int = 8  # lines of a tool's text result shown inside its step
    result_chars: int = 700
    table_rows: int = 20  # rows of an inline table
    cell_chars: int = 60
    stopped: str = "⏹ _(stopped)_"


SETTINGS = ChatSettings()


@dataclass(frozen=True)
class ChatTurn:
    """The messages of the turn so far, and the changes waiting for the user's decision (if any)."""
    messages: list[dict]
    confirm: tuple[dict, ...] = field(default=())
    suggestions: tuple[str, ...] = field(default=())  # questions to offer as buttons when the answer asks back


Visuals = Callable[[str, Any], list]  # (tool name, artifact) -> extra message contents (tables, figures)


def chat_messages(events: Iterable[Event], visuals: Visuals | None = None,
                  settings: ChatSettings = SETTINGS) -> Iterator[ChatTurn]:
    """Yield the turn's messages after every event; errors end the turn as a readable message, not a trace."""
    turn = _Turn(visuals or (lambda name, artifact: artifact_tables(name, artifact, settings)), settings)
    try:
        for event in events:
            turn.add(event)
            yield ChatTurn(list(turn.messages), turn.confirm, turn.suggestions)
    except StocktakeError as exc:
        turn.messages.append(error_message(exc.for_face("web")))
        yield ChatTurn(list(turn.messages), ())
    except Exception as exc:  # the page must get a message, whatever broke underneath
        log.exception("chat turn failed")
        turn.messages.append(error_message(f"internal error: {type(exc).__name__}: {exc}"))
        yield ChatTurn(list(turn.messages), ())
    finally:
        # Stopped (closed) mid-turn: the agent's run ends here and now, not whenever the garbage collector runs.
        close = getattr(events, "close", None)
        if close is not None:
            close()


class _Turn:
    """The messages of one turn as its events arrive."""

    def __init__(self, visuals: Visuals, settings: ChatSettings):
        self.visuals, self.settings = visuals, settings
        self.messages: list[dict] = []
        self.steps: dict[str, int] = {}  # tool call id -> index of its step message
        self.confirm: tuple[dict, ...] = ()
        self.suggestions: tuple[str, ...] = ()
        self.text_at: int | None = None  # the text message being streamed, if any
        self.tabled = False  # a step's result was shown as a table: an answer's brief form then says the rest

    def add(self, event: Event) -> None:
        if isinstance(event, ToolStarted):
            self.steps[event.id] = len(self.messages)
            self.messages.append(_step(event.name, event.id, _arguments(event.args), "pending"))
            self.text_at = None
        elif isinstance(event, ToolFinished):
            self._finished(event)
        elif isinstance(event, ToolProgress) and event.id in self.steps:  # the running step says how far it is
            at = self.steps[event.id]
            step = self.messages[at]
            self.messages[at] = {**step, "metadata": {**step["metadata"], "log": progress_text(event)}}
        elif isinstance(event, TextDelta):
            if self.text_at is None:
                self.text_at = len(self.messages)
                self.messages.append({"role": "assistant", "content": ""})
            streamed = self.messages[self.text_at]["content"] + event.text
            self.messages[self.text_at] = {"role": "assistant", "content": streamed}
        elif isinstance(event, ConfirmationNeeded):
            self.confirm = tuple(event.actions)
            self.messages.append({"role": "assistant", "content": _confirmation(self.confirm)})
            self.text_at = None
        elif isinstance(event, Answer):
            self._answered(event)

    def _finished(self, event: ToolFinished) -> None:
        index = self.steps.get(event.id)
        args = self.messages[index]["content"] if index is not None else ""
        done = _step(event.name, event.id, args + _result(event, self.settings), "done", event.seconds, event.ok)
        if index is None:
            self.messages.append(done)
        else:
            self.messages[index] = done
        if event.ok:
            shown = self.visuals(event.name, event.artifact)
            self.tabled = self.tabled or any(isinstance(c, str) for c in shown)
            self.messages += [{"role": "assistant", "content": c} for c in shown]
        self.text_at = None

    def _answered(self, event: Answer) -> None:
        text = event.brief if self.tabled and event.brief else event.text
        if event.sql:  # the query goes into a collapsible step of its own
            text = strip_query(text)
            self.messages.append({"role": "assistant", "content": f"```sql\n{event.sql}\n```",
                                  "metadata": {"title": "🧾 SQL that answered this", "status": "done",
                                               "id": f"sql-{len(self.messages)}"}})
        _finish(self.messages, self.text_at, text, bool(self.confirm))
        self.suggestions = tuple(event.suggestions)


def mark_stopped(history: list[dict], settings: ChatSettings = SETTINGS) -> list[dict]:
    """The chat as Stop leaves it: everything shown stays, running steps stop spinning, a marker ends the turn.

    ``history`` is what the chat box holds: plain message dicts or Gradio's normalised ones alike.
    """
    messages = [_stopped_step(m) for m in history]
    return messages + [{"role": "assistant", "content": settings.stopped}]


def _stopped_step(message: dict) -> dict:
    metadata = message.get("metadata") or {}
    if metadata.get("status") != "pending":
        return message
    return {**message, "metadata": {**metadata, "status": "done", "log": "stopped"}}


def strip_query(text: str) -> str:
    """The answer without its "Query: ```sql …```" block (a page shows the SQL in a step of its own)."""
    head, marker, rest = text.partition("Query:")
    if not marker or "```sql" not in rest:
        return text
    tail = rest.split("```", 2)[-1] if rest.count("```") >= 2 else ""
    return (head.rstrip() + "\n\n" + tail.strip()).strip()


def error_message(text: str) -> dict:
    return {"role": "assistant", "content": f"⚠️ **Sorry, that failed.** {text}"}


def _finish(messages: list[dict], text_at: int | None, text: str, confirming: bool) -> None:
    """The answer's text is the final word: it replaces the streamed text, or is added when none was streamed."""
    if not text.strip() or confirming:
        return  # a confirmation request already says what is waiting
    if text_at is None:
        messages.append({"role": "assistant", "content": text})
    else:
        messages[text_at] = {"role": "assistant", "content": text}


def progress_text(event: ToolProgress) -> str:
    """"epoch 2 · 120/400 (30%)": the step in words, and its count where it has one."""
    if event.total is None:
        return event.step
    share = f" ({event.done / event.total:.0%})" if event.total else ""
    return f"{event.step} · {event.done:,}/{event.total:,}{share}"


def _step(name: str, call_id: str, content: str, status: str, seconds: float | None = None, ok: bool = True) -> dict:
    metadata = {"title": f"{'🔧' if ok else '⚠️'} {name}" + ("" if ok else " failed"), "id": call_id,
                "status": status}
    if seconds is not None:
        metadata["duration"] = seconds
    return {"role": "assistant", "content": content, "metadata": metadata}


def _arguments(args: dict) -> str:
    if not args:
        return "No arguments.\n"
    return "Arguments:\n```json\n" + json.dumps(args, indent=1, ensure_ascii=False, default=str) + "\n```\n"


def _result(event: ToolFinished, settings: ChatSettings) -> str:
    text = str(event.content)
    lines = text.splitlines()
    short = "\n".join(lines[: settings.result_lines])[: settings.result_chars]
    if len(short) < len(text):
        short += "\n…"
    return "Result:\n```text\n" + short.replace("```", "'''") + "\n```"


def _confirmation(actions: tuple[dict, ...]) -> str:
    """Each waiting change as the question the assistant wrote for it (stocktake.actions), never as a tool call."""
    listed = "\n".join(f"- {a.get('description') or a.get('name')}" for a in actions)
    return f"✋ **This changes data and needs your confirmation.**\n\n{listed}\n\nUse **Confirm** or **Cancel** below."


# ---- inline tables ------------------------------------------------------------------------------------------
def artifact_tables(name: str, artifact: Any, settings: ChatSettings = SETTINGS) -> list[str]:
    """A Markdown table for the tools whose result is tabular; nothing for the others."""
    if not isinstance(artifact, dict) or "error" in artifact:
        return []
    render = _TABLES.get(name)
    table = render(artifact, settings) if render else ""
    return [table] if table else []


def markdown_table(header: list[str], rows: list[list[Any]], settings: ChatSettings = SETTINGS,
                   total: int | None = None, plain: Iterable[str] = ()) -> str:
    """Rows as a Markdown table. Numbers in the ``plain`` columns (a result's group labels), and in columns
    named like ids or years, are written as typed; the others as measures (:mod:`stocktake.numbers`)."""
    if not rows:
        return ""
    shown = rows[: settings.table_rows]
    plain = set(plain)
    kinds = [_as_typed if h in plain or is_identifier(h) else _as_percent if h == "percent" else measure_text
             for h in header]
    lines = ["| " + " | ".join(_cell(h, settings) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v, settings, kind) for v, kind in zip(row, kinds)) + " |" for row in shown]
    total = len(rows) if total is None else total
    if total > len(shown):
        lines.append(f"\n_{len(shown)} of {total:,} rows shown._")
    return "\n".join(lines)


def _as_typed(value: Any) -> str:
    return value_text("id", value)


def _as_percent(value: Any) -> str:
    return f"{value:.1f}%" if is_number(value) else measure_text(value)


def _cell(value: Any, settings: ChatSettings, kind: Callable[[Any], str] = measure_text) -> str:
    text = "∅" if value is None else kind(value) if is_number(value) else str(value)
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= settings.cell_chars else text[: settings.cell_chars - 1] + "…"


def _sql(art: dict, s: ChatSettings) -> str:
    table = markdown_table(art.get("columns", []), art.get("rows", []), s, plain=art.get("labels") or ())
    return table + ("\n\n_The row limit cut the result._" if table and art.get("truncated") else "")


def _issues(art: dict, s: ChatSettings) -> str:
    rows = [[i["severity"], i["asset"], i.get("column") or "*", i["kind"], i["rows"], i["message"]]
            for i in art.get("issues", [])]
    return markdown_table(["severity", "asset", "column", "issue", "rows", "detail"], rows, s)


def _assets(art: dict, s: ChatSettings) -> str:
    rows = [[a["name"], a["kind"], a["rows"], a["n_columns"], a["version"]] for a in art.get("assets", [])]
    return markdown_table(["asset", "kind", "rows", "columns", "version"], rows, s)


def _relations(art: dict, s: ChatSettings) -> str:
    """Read as the assistant's text reads them: from the child (many-to-one), coverage never rounded up to 100%."""
    from stocktake.tools.profile import READINGS, describe_coverage

    rows = [[f"{r['from_asset']}.{r['from_column']}", f"{r['to_asset']}.{r['to_column']}",
             READINGS.get(r["cardinality"], r["cardinality"]), describe_coverage(r["coverage"], r["orphan_rows"])]
            for r in art.get("relations", [])]
    return markdown_table(["from", "to", "relationship", "coverage"], rows, s)


def _recommenders(art: dict, s: ChatSettings) -> str:
    """Trained or compared recommenders: one row each, the metrics at the first cut-off as columns."""
    models = art.get("models") or []
    metrics = [m for m in ("ndcg@10", "recall@10", "map@10", "coverage@10")
               if any(m in (x.get("metrics") or {}) for x in models)]
    rows = [[x.get("algorithm") or x.get("name"), *[_metric((x.get("metrics") or {}).get(m)) for m in metrics],
             x.get("model_id")] for x in models]
    return markdown_table(["model", *metrics, "id"], rows, s)


def _cleaning_step(art: dict, s: ChatSettings) -> str:
    from stocktake.agent.templates import cleaning_step_text

    return cleaning_step_text(art["step"]) if isinstance(art.get("step"), dict) else ""


def _metric(value: Any) -> Any:
    return metric_text(value) if is_number(value) else value


_TABLES: dict[str, Callable[[dict, ChatSettings], str]] = {
    "run_sql": _sql, "query_data": _sql, "quality_issues": _issues, "list_assets": _assets, "find_relationships": _relations,
    "train_recommenders": _recommenders, "compare_recommenders": _recommenders, "next_cleaning_step": _cleaning_step,
}
