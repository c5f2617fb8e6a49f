"""The chat tab: streamed answers, tool steps, inline tables and charts, confirm/cancel for changes, and Stop.

The assistant keeps each conversation's memory itself, keyed by a thread id that lives in the browser
session's state; so only the new user text is sent, never Gradio's rendered history.
"""

from __future__ import annotations

import html
import uuid

import gradio as gr

from stocktake.serve.charts import chart_artifact
from stocktake.serve.chat import artifact_tables, chat_messages, mark_stopped
from stocktake.serve.common import AppContext

SUGGESTIONS = 3
EXAMPLES = (
    "What tables do we have?",
    "Revenue by category",
    "How many orders were cancelled per month?",
    "Top 5 products by revenue",
    "What quality issues does users have?",
    "How do orders and users join?",
)


def visuals(name: str, artifact) -> list:
    """Inline tables, and a chart where one helps."""
    shown: list = artifact_tables(name, artifact)
    figure = chart_artifact(name, artifact)
    if figure is not None:
        shown.append(gr.Plot(figure, show_label=False))
    return shown


def badge(assistant) -> str:
    if assistant.mode == "offline":
        return ("<span class='st-badge st-offline' title='No language model answered; a fixed planner answers "
                "the common questions.'>🔌 offline mode</span>")
    return f"<span class='st-badge st-llm'>🤖 {html.escape(assistant.model_name or 'language model')}</span>"


def build(app: AppContext) -> None:
    assistant = app.assistant
    thread = gr.State(None)
    with gr.Row():
        gr.HTML(badge(assistant), elem_id="st-model-badge")
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
    with gr.Row():  # the closest readings when the assistant is not sure: one click asks that question
        choices = [gr.Button(visible=False, size="sm", elem_id=f"st-suggestion-{i}") for i in range(SUGGESTIONS)]
    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Example questions")

    def turn(history: list, events, thread_id: str):
        waiting = False
        for step in chat_messages(events, visuals):
            waiting = bool(step.confirm)
            offered = [gr.Button(value=s, visible=True) for s in step.suggestions[:SUGGESTIONS]]
            offered += [gr.Button(visible=False)] * (SUGGESTIONS - len(offered))
            yield (history + step.messages, "", thread_id, gr.Button(visible=waiting), gr.Button(visible=waiting),
                   *offered)

    def respond(message: str, history: list, thread_id: str | None):
        thread_id = thread_id or uuid.uuid4().hex
        text = (message or "").strip()
        history = list(history or [])
        hidden = [gr.Button(visible=False)] * SUGGESTIONS
        if not text:
            gr.Warning("Type a question first.")
            yield history, "", thread_id, gr.Button(visible=False), gr.Button(visible=False), *hidden
            return
        history.append({"role": "user", "content": text})
        yield history, "", thread_id, gr.Button(visible=False), gr.Button(visible=False), *hidden
        yield from turn(history, assistant.stream(text, thread_id), thread_id)

    def decide(approve: bool):
        def answer(history: list, thread_id: str | None):
            history = list(history or [])
            note = "✔ Confirmed." if approve else "✖ Cancelled."
            history.append({"role": "user", "content": note})
            yield (history, "", thread_id, gr.Button(visible=False), gr.Button(visible=False),
                   *[gr.Button(visible=False)] * SUGGESTIONS)
            yield from turn(history, assistant.resume(thread_id or "", approve), thread_id)
        answer.__name__ = "confirm" if approve else "cancel"
        return answer

    def stop_answer(history: list):
        return mark_stopped(list(history or [])), gr.Button(visible=False), gr.Button(visible=False), *idle()

    def busy():  # Stop stands in for Send while an answer streams
        return gr.Button(visible=False), gr.Button(visible=True)

    def idle():
        return gr.Button(visible=True), gr.Button(visible=False)

    outputs = [chatbot, question, thread, confirm, cancel, *choices]
    shared = {"concurrency_limit": 4, "concurrency_id": "assistant"}
    quick = {"queue": False, "api_name": False}
    answers = []
    for trigger, fn, inputs, name in ((question.submit, respond, [question, chatbot, thread], "respond"),
                                      (send.click, respond, [question, chatbot, thread], False),
                                      (confirm.click, decide(True), [chatbot, thread], "confirm"),
                                      (cancel.click, decide(False), [chatbot, thread], "cancel")):
        answer = trigger(busy, None, [send, stop], **quick).then(fn, inputs, outputs, api_name=name, **shared)
        answer.then(idle, None, [send, stop], **quick)  # also when the answer fails or is stopped
        answers.append(answer)
    for choice in choices:  # a suggestion is asked as if typed
        answer = choice.click(busy, None, [send, stop], **quick).then(respond, [choice, chatbot, thread], outputs,
                                                                       api_name=False, **shared)
        answer.then(idle, None, [send, stop], **quick)
        answers.append(answer)
    # The cancelled answer's ``then`` waits for the step in flight (a tool may take minutes): Stop says so at once.
    stop.click(stop_answer, [chatbot], [chatbot, confirm, cancel, send, stop], cancels=answers, **quick)
