"""One offline turn: the planner's plan carried out with the same tools the model would call, and the answer in
the shape every face reads (text, status, how the question was read, SQL, result table, suggestions, parts).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from stocktake.agent.context import ToolContext
from stocktake.agent.events import Answer, ConfirmationNeeded, Event, ToolFinished, ToolStarted
from stocktake.agent.offline import OFFLINE_NOTE, OfflinePlanner, Plan, help_text
from stocktake.agent.progress import reporting
from stocktake.agent.templates import render_answer, render_brief
from stocktake.agent.tools import confirmation_question
from stocktake.errors import StocktakeError

NEEDS = {"asset": "which asset you mean", "user": "which user id", "step": "which step (e.g. s2)",
         "session": "which session id (e.g. cs-1a2b3c4d)"}
# Tools whose result is a table the answer rests on: the Answer carries it for pages and checks.
TABLES = {"query_data": ("columns", "rows"), "run_sql": ("columns", "rows"), "show_issue_rows": ("columns", "rows")}


class OfflineTurns:
    def __init__(self, ctx: ToolContext, by_name: dict, gated: set[str]):
        self.ctx, self.by_name, self.gated = ctx, by_name, gated
        self.planner = OfflinePlanner(ctx, set(by_name))
        # thread -> (tool, args, intent, reading, the question put to the user)
        self.pending: dict[str, tuple[str, dict, str, str, str]] = {}

    # ---- a question --------------------------------------------------------------------------------------
    def stream(self, question: str, thread_id: str) -> Iterator[Event]:
        dropped = self.pending.pop(thread_id, None)
        note = ""
        if dropped is not None:  # a new message while a change waits: the change is not made, and that is said
            note = (f"_(The change that was waiting for your confirmation (“{dropped[4]}”) was not made; ask "
                    "for it again if you still want it.)_\n\n")
        plan = self.planner.plan(question, self.ctx.conversation_plans.get(thread_id))
        for event in self._plan(plan, thread_id):
            if isinstance(event, Answer) and note:
                event = _prefixed(event, note)
            yield event

    def resume(self, thread_id: str, approve: bool) -> Iterator[Event]:
        pending = self.pending.pop(thread_id, None)
        if pending is None:
            yield _answer("There is nothing waiting for confirmation.", status="unknown")
            return
        tool, args, intent, reading, _ = pending
        if not approve:
            yield _answer("Cancelled: nothing was changed.", reading=reading)
            return
        yield from self._run(tool, args, intent, thread_id, reading)

    def _plan(self, plan: Plan, thread_id: str) -> Iterator[Event]:
        if plan.parts:
            yield from self._compound(plan, thread_id)
            return
        ignored = _ignored(plan)
        if plan.status == "refused":
            text = plan.args.get("message") or ("I don't follow instructions written into a question, so I did "
                                                "nothing." + (" To ask the question on its own:\n\n1. "
                                                              f"{plan.suggestions[0]}" if plan.suggestions else ""))
            yield _answer(ignored + text, status="refused", reading=plan.reading, suggestions=plan.suggestions)
        elif plan.status == "clarify":
            yield _answer(ignored + _clarify_text(plan.reading, plan.suggestions), status="clarify",
                          reading=plan.reading, suggestions=plan.suggestions)
        elif plan.tool is None:
            prefix = "" if plan.intent == "help" else "I couldn't map that question to something I can do offline.\n\n"
            yield _answer(ignored + prefix + help_text(set(self.by_name)),
                          status="answered" if plan.intent == "help" else "unknown",
                          reading=plan.reading or "I couldn't tell what the question asks for.")
        elif plan.missing:
            yield from self._missing(plan, ignored)
        elif plan.tool in self.gated:
            yield from self._confirm(plan, thread_id, ignored)
        else:
            for event in self._run(plan.tool, plan.args, plan.intent, thread_id, plan.reading, plan):
                yield _prefixed(event, ignored) if isinstance(event, Answer) and ignored else event

    def _compound(self, plan: Plan, thread_id: str) -> Iterator[Event]:
        answers = []
        for part in plan.parts:
            answer = None
            for event in self._plan(part, thread_id):
                if isinstance(event, Answer):
                    answer = event
                elif not isinstance(event, ConfirmationNeeded):
                    yield event
            answers.append(answer)
        text = "\n\n".join(f"**{i}.** {a.text.replace(OFFLINE_NOTE, '').strip()}" for i, a in enumerate(answers, 1))
        statuses = {a.status for a in answers}
        status = next((s for s in ("refused", "clarify", "error", "unknown", "confirm") if s in statuses), "answered")
        calls = tuple(c for a in answers for c in a.tool_calls)
        yield Answer(f"{_ignored(plan)}{plan.reading}\n\n{text}\n\n{OFFLINE_NOTE}", "offline", calls, status=status,
                     reading=plan.reading, parts=tuple(answers),
                     suggestions=tuple(s for a in answers for s in a.suggestions))

    def _missing(self, plan: Plan, ignored: str) -> Iterator[Event]:
        names = self.ctx.catalog.names()
        need = NEEDS[plan.missing]
        suggestions = ()
        if plan.missing == "asset" and names:
            need += f" (assets: {', '.join(names[:15])})"
            suggestions = tuple(f"{plan.intent.replace('_', ' ')} of {n}" for n in names[:3])
        reading = f"I understood {plan.intent.replace('_', ' ')}, but not {need.split(' (')[0]}."
        yield _answer(f"{ignored}I understood *{plan.intent.replace('_', ' ')}*, but please tell me {need}.",
                      status="clarify", reading=reading, suggestions=suggestions)

    def _confirm(self, plan: Plan, thread_id: str, ignored: str) -> Iterator[Event]:
        try:
            question = confirmation_question(self.ctx, thread_id, self.by_name[plan.tool].action, plan.args)
        except StocktakeError as exc:  # nothing to confirm: say why, and what to do instead
            yield _answer(f"{ignored}{exc}", status="error", reading=plan.reading)
            return
        self.pending[thread_id] = (plan.tool, plan.args, plan.intent, plan.reading, question)
        yield ConfirmationNeeded(({"name": plan.tool, "args": plan.args, "description": question},))
        yield _answer(f"{ignored}{question}", calls=({"name": plan.tool, "args": plan.args},), status="confirm",
                      reading=plan.reading)

    # ---- running a tool ------------------------------------------------------------------------------------
    def _run(self, tool_name: str, args: dict, intent: str, thread_id: str, reading: str,
             plan: Plan | None = None) -> Iterator[Event]:
        call_id = f"offline-{time.monotonic_ns()}"
        yield ToolStarted(call_id, tool_name, args)
        t0 = time.perf_counter()
        call = {"name": tool_name, "args": args, "id": call_id, "type": "tool_call"}
        message = yield from reporting(
            lambda progress: self.by_name[tool_name].invoke(
                call, config={"configurable": {"thread_id": thread_id, "progress": progress}}), call_id, tool_name)
        content, artifact = message.content, message.artifact
        ok = message.status != "error"
        yield ToolFinished(call_id, tool_name, content, artifact, round(time.perf_counter() - t0, 3), ok)
        calls = ({"name": tool_name, "args": args},)
        if not ok:  # the tools' errors are written for people too
            said = artifact["error"]
            status = "refused" if said.startswith("Refused") else "error"  # "truncate events" as SQL
            yield _answer(hard_breaks(said), calls=calls, status=status, reading=reading)
            return
        if tool_name == "query_data" and plan is not None and plan.query is not None:
            self.ctx.conversation_plans.set(thread_id, plan.query)
            reading = (artifact or {}).get("reading") or reading  # the plan that ran (an id found elsewhere)
        notes = "".join(f"{n}{'' if n.endswith(('.', '?', '!')) else '.'} " for n in (plan.notes if plan else ())
                        if not n.startswith("dates:"))
        dates = "".join(f" ({n.removeprefix('dates: ')})" for n in (plan.notes if plan else ()) if n.startswith("dates:"))
        said = f"_{notes}{reading}{dates}_" if reading else ""
        text = with_reading(hard_breaks(render_answer(intent, args, content, artifact)), said)
        brief = with_reading(hard_breaks(render_brief(intent, args, content, artifact)), said)
        yield _answer(text, calls=calls, brief=brief, reading=reading,
                      sql=(artifact or {}).get("sql") if tool_name in TABLES else None,
                      table=_table(tool_name, artifact))


def with_reading(text: str, reading: str) -> str:
    """The answer first, then how the question was read, then the query it ran (if any)."""
    if not reading:
        return text
    head, marker, query = text.partition("\n\nQuery:\n```sql")
    return f"{head}\n\n{reading}" + (f"{marker}{query}" if marker else "")


def _table(tool: str, artifact) -> dict | None:
    if not isinstance(artifact, dict):
        return None
    if tool in TABLES:
        return {"columns": list(artifact.get("columns") or []), "rows": [list(r) for r in artifact.get("rows") or []]}
    return None


def _ignored(plan: Plan) -> str:
    if not plan.ignored:
        return ""
    cut = "; ".join(f"“{c[:80]}”" for c in plan.ignored)
    return f"_(I ignored {cut}: it reads as instructions to me, not as part of the question.)_\n\n"


def _clarify_text(reading: str, suggestions: tuple[str, ...]) -> str:
    if not suggestions:
        return f"I'm not sure how to read that. {reading} Could you rephrase it with the table or column you mean?"
    listed = "\n".join(f"{i}. {s}" for i, s in enumerate(suggestions, 1))
    return f"I'm not sure how to read that. {reading}\n\nDid you mean one of these?\n\n{listed}"


def _answer(text: str, calls: tuple = (), **fields) -> Answer:
    brief = fields.pop("brief", "")
    return Answer(f"{text}\n\n{OFFLINE_NOTE}", "offline", calls, brief=f"{brief}\n\n{OFFLINE_NOTE}" if brief else "",
                  **fields)


def _prefixed(answer: Answer, note: str) -> Answer:
    from dataclasses import replace

    return replace(answer, text=note + answer.text, brief=(note + answer.brief) if answer.brief else "")


def hard_breaks(text: str) -> str:
    """Keep the tools' line structure in Markdown (a single newline would render as a space), code aside."""
    parts = text.split("```")
    return "```".join(p if i % 2 else p.replace("\n", "  \n") for i, p in enumerate(parts))
