"""The chat tab: streamed answers, tool steps, inline tables and charts, confirm/cancel for changes, and Stop.

The assistant keeps each conversation's memory itself, keyed by a thread id that lives in the browser
session's state; so only the new user text is sent, never Gradio's rendered history. What the chat showed is
kept in the workspace when an answer ends, and the browser keeps the ids of its own conversations: a reload
shows the last one again, and the list of past conversations reopens any of them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from stocktake.numbers import is_number
from stocktake.serve.charts import chart_artifact, chart_timeline
from stocktake.serve.chat import artifact_tables, chat_messages, mark_stopped
from stocktake.serve.common import AppContext
from stocktake.serve.conversations import THREAD_ID, Conversations

SUGGESTIONS = 3
KEPT_PER_BROWSER = 50  # conversations a browser lists; older ones stay in the workspace
EMPTY_BROWSER = {"threads": [], "current": None}
DOWNLOAD_TOOLS = ("inventory_report",)  # tools that write a file the user wants
EXAMPLES = (
    "What tables do we have?",
    "Revenue by category",
    "How many orders were cancelled per month?",
    "Top 5 products by revenue",
    "What quality issues does users have?",
    "How do orders and users join?",
)


# A period as a result table writes it: a year, a month, a day, a time, a quarter or a week.
PERIOD = re.compile(r"\d{4}(-\d{2}(-\d{2}([ T]\d{2}(:\d{2}){0,2})?)?|-Q[1-4]|-W\d{2})?")


def visuals(name: str, artifact) -> list:
    """Inline tables, a chart where one helps, and a written file (the report) to download."""
    shown: list = artifact_tables(name, artifact)
    figure = time_chart(name, artifact) or chart_artifact(name, artifact)
    if figure is not None:
        shown.append(gr.Plot(figure, show_label=False))
    if name in DOWNLOAD_TOOLS and isinstance(artifact, dict) and Path(str(artifact.get("path"))).is_file():
        # A file message rather than a gr.File: Gradio cannot read a chat holding a File component back as
        # the next turn's input.
        shown.append({"path": artifact["path"]})
    return shown


def time_chart(name: str, artifact):
    """A measure per period as a line, time left to right: also when the periods are plain text (a SQL
    result's "2023-01", a month column), which the chart picker would draw as bars, one label per period."""
    if name not in ("run_sql", "query_data") or not isinstance(artifact, dict) or "error" in artifact:
        return None
    columns, rows = artifact.get("columns") or [], artifact.get("rows") or []
    at = len(artifact.get("labels") or []) if name == "query_data" else 1
    if at != 1 or len(columns) < 2 or len(rows) < 2 or (name == "run_sql" and len(columns) != 2):
        return None
    year = columns[0].lower() in ("year", "yr")  # SQL's year() gives numbers, 2023
    if not all((_is_period(r[0]) or year and is_number(r[0])) and is_number(r[1]) for r in rows):
        return None
    ordered = sorted(rows, key=lambda r: str(r[0]))
    return chart_timeline([_period_text(r[0]) for r in ordered], [r[1] for r in ordered],
                          f"{columns[1]} by {columns[0]}", ylabel=columns[1])


def _is_period(value) -> bool:
    return isinstance(value, (dt.date, dt.datetime)) or isinstance(value, str) and bool(PERIOD.fullmatch(value))


def _period_text(value) -> str:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)


def badge(assistant) -> str:
    if assistant.mode == "offline":
        return ("<span class='st-badge st-offline' title='No language model answered; a fixed planner answers "
                "the common questions.'>🔌 offline mode</span>")
    return f"<span class='st-badge st-llm'>🤖 {html.escape(assistant.model_name or 'language model')}</span>"


@dataclass(frozen=True)
class Thread:
    """The components that show which conversation the tab is in."""
    chatbot: gr.Chatbot
    id: gr.State
    past: gr.Dropdown
    fresh: gr.Button
    confirm: gr.Button
    cancel: gr.Button


@dataclass(frozen=True)
class Controls:
    """The tab's components that its handlers read or fill: the conversation's, and the ways of asking."""
    thread: Thread
    question: gr.Textbox
    send: gr.Button
    stop: gr.Button
    choices: list[gr.Button]  # the closest readings when the assistant is not sure: one click asks that question


def build(app: AppContext, blocks: gr.Blocks) -> None:
    ui = _layout(app.assistant)
    answers = _wire_answers(app.assistant, ui)
    # The cancelled answer's ``then`` waits for the step in flight (a tool may take minutes): Stop says so at once.
    t = ui.thread
    stopped = ui.stop.click(stop_answer, [t.chatbot], [t.chatbot, t.confirm, t.cancel, ui.send, ui.stop],
                            cancels=answers, queue=False, api_name=False)
    _keep_conversations(app, blocks, ui.thread, [*answers, stopped])


def _layout(assistant) -> Controls:
    thread = gr.State(None)
    with gr.Row():
        gr.HTML(badge(assistant), elem_id="st-model-badge")
        with gr.Column(scale=4):
            past = gr.Dropdown(label="Past conversations in this browser", choices=[], value=None,
                               elem_id="st-past")
        with gr.Column(scale=1, min_width=160):
            fresh = gr.Button("➕ New conversation", size="sm", elem_id="st-new")
    chatbot = gr.Chatbot(label="Stocktake assistant", height=560, elem_id="st-chat", buttons=["copy"],
                         placeholder="Ask about your data assets: sizes, columns, quality issues, joins, SQL…")
    with gr.Row():
        question = gr.Textbox(show_label=False, placeholder="Ask a question and press Enter", scale=8,
                              elem_id="st-question", autofocus=True)
        send = gr.Button("Send", variant="primary", scale=1, min_width=80)
        stop = gr.Button("⏹ Stop", variant="stop", scale=1, min_width=80, visible=False, elem_id="st-stop")
    with gr.Row():
        confirm = gr.Button("✔ Confirm change", variant="primary", visible=False, elem_id="st-confirm")
        cancel = gr.Button("✖ Cancel", variant="stop", visible=False, elem_id="st-cancel")
    with gr.Row():
        choices = [gr.Button(visible=False, size="sm", elem_id=f"st-suggestion-{i}") for i in range(SUGGESTIONS)]
    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Example questions")
    return Controls(Thread(chatbot, thread, past, fresh, confirm, cancel), question, send, stop, choices)


def _hidden_buttons(n: int) -> list[gr.Button]:
    return [gr.Button(visible=False) for _ in range(n)]


def _turn(history: list, events, thread_id: str):
    """The chat as each event of a turn leaves it: messages, the confirm buttons and the suggestions offered."""
    for step in chat_messages(events, visuals):
        waiting = bool(step.confirm)
        offered = [gr.Button(value=s, visible=True) for s in step.suggestions[:SUGGESTIONS]]
        offered += _hidden_buttons(SUGGESTIONS - len(offered))
        yield history + step.messages, "", thread_id, gr.Button(visible=waiting), gr.Button(visible=waiting), *offered


def _handlers(assistant):
    """The tab's answer handlers: a question asked, and a waiting change confirmed or cancelled."""
    def respond(message: str, history: list, thread_id: str | None):
        thread_id = thread_id or uuid.uuid4().hex
        text = (message or "").strip()
        history = list(history or [])
        if not text:
            gr.Warning("Type a question first.")
            yield history, "", thread_id, *_hidden_buttons(2 + SUGGESTIONS)
            return
        history.append({"role": "user", "content": text})
        yield history, "", thread_id, *_hidden_buttons(2 + SUGGESTIONS)
        yield from _turn(history, assistant.stream(text, thread_id), thread_id)

    def decide(approve: bool):
        def answer(history: list, thread_id: str | None):
            history = list(history or [])
            history.append({"role": "user", "content": "✔ Confirmed." if approve else "✖ Cancelled."})
            yield history, "", thread_id, *_hidden_buttons(2 + SUGGESTIONS)
            yield from _turn(history, assistant.resume(thread_id or "", approve), thread_id)
        answer.__name__ = "confirm" if approve else "cancel"
        return answer

    return respond, decide(True), decide(False)


def _wire_answers(assistant, ui: Controls) -> list:
    """Each way of asking runs as one answer: Stop stands in for Send while it streams. Returns the answers."""
    respond, confirmed, cancelled = _handlers(assistant)
    t = ui.thread
    outputs = [t.chatbot, ui.question, t.id, t.confirm, t.cancel, *ui.choices]
    shared = {"concurrency_limit": 4, "concurrency_id": "assistant"}
    quick = {"queue": False, "api_name": False}
    asked = [(ui.question.submit, respond, [ui.question, t.chatbot, t.id], "respond"),
             (ui.send.click, respond, [ui.question, t.chatbot, t.id], False),
             (t.confirm.click, confirmed, [t.chatbot, t.id], "confirm"),
             (t.cancel.click, cancelled, [t.chatbot, t.id], "cancel")]
    # a suggestion is asked as if typed
    asked += [(choice.click, respond, [choice, t.chatbot, t.id], False) for choice in ui.choices]
    answers = []
    for trigger, fn, inputs, name in asked:
        answer = trigger(busy, None, [ui.send, ui.stop], **quick).then(fn, inputs, outputs, api_name=name, **shared)
        answer.then(idle, None, [ui.send, ui.stop], **quick)  # also when the answer fails or is stopped
        answers.append(answer)
    return answers


def stop_answer(history: list):
    return mark_stopped(list(history or [])), gr.Button(visible=False), gr.Button(visible=False), *idle()


def busy():  # Stop stands in for Send while an answer streams
    return gr.Button(visible=False), gr.Button(visible=True)


def idle():
    return gr.Button(visible=True), gr.Button(visible=False)


def _keep_conversations(app: AppContext, blocks: gr.Blocks, t: Thread, ended: list) -> None:
    """Save the conversation when an answer ends; on load show the browser's last one; reopen or start one."""
    store = Conversations(app.catalog.ws.dir("conversations"))
    mine = gr.BrowserState(dict(EMPTY_BROWSER), storage_key="stocktake-conversations")
    hidden = (gr.Button(visible=False), gr.Button(visible=False))  # a change waiting belongs to the old one

    def offered(ids: list[str], current: str | None) -> gr.Dropdown:
        listed = store.listed(ids)
        return gr.Dropdown(choices=[(c.label, c.id) for c in listed],
                           value=current if any(c.id == current for c in listed) else None)

    def restore(saved):
        saved = browser_state(saved)
        kept = store.get(saved["current"])
        return list(kept.messages) if kept else [], kept.id if kept else None, offered(saved["threads"],
                                                                                      saved["current"])

    def remember(history: list, thread_id: str | None, saved):
        saved = browser_state(saved)
        if not thread_id or store.save(thread_id, history or []) is None:
            return saved, gr.skip()
        threads = [thread_id, *[i for i in saved["threads"] if i != thread_id]][:KEPT_PER_BROWSER]
        return {"threads": threads, "current": thread_id}, offered(threads, thread_id)

    def reopen(chosen: str | None, saved):
        saved = browser_state(saved)
        kept = store.get(chosen) if chosen in saved["threads"] else None
        if kept is None:
            gr.Warning("That conversation is no longer kept in this workspace.")
            return gr.skip(), gr.skip(), saved, *hidden
        return list(kept.messages), kept.id, {**saved, "current": kept.id}, *hidden

    def start_new(saved):
        return [], None, {**browser_state(saved), "current": None}, gr.Dropdown(value=None), *hidden

    quick = {"queue": False, "api_name": False}
    blocks.load(restore, [mine], [t.chatbot, t.id, t.past], **quick)
    for event in ended:
        event.then(remember, [t.chatbot, t.id, mine], [mine, t.past], **quick)
    t.past.input(reopen, [t.past, mine], [t.chatbot, t.id, mine, t.confirm, t.cancel], **quick)
    t.fresh.click(start_new, [mine], [t.chatbot, t.id, mine, t.past, t.confirm, t.cancel], **quick)


def browser_state(saved) -> dict:
    """The browser's list of its conversations, as far as it is one: the browser can send anything."""
    saved = saved if isinstance(saved, dict) else {}
    threads = saved.get("threads") if isinstance(saved.get("threads"), list) else []
    threads = [i for i in threads if isinstance(i, str) and THREAD_ID.fullmatch(i)][:KEPT_PER_BROWSER]
    current = saved.get("current")
    return {"threads": threads, "current": current if current in threads else None}
