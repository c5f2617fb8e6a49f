"""``stocktake ask`` and ``stocktake chat``: the assistant in the terminal."""

from __future__ import annotations

import shlex
import sys
import uuid

import typer
from rich.markdown import Markdown

from stocktake.cli.common import catalog, err, out, print_json
from stocktake.errors import StocktakeError


def _assistant(ctx: typer.Context, offline: bool):
    from stocktake.agent.assistant import connect_assistant
    from stocktake.agent.context import ToolContext

    with err.status("Connecting to the language model…"):
        assistant = connect_assistant(ToolContext(catalog(ctx)), offline=offline)
    if assistant.mode == "offline" and not offline:
        err.print("[yellow]No LLM endpoint answered: offline mode.[/] (see `stocktake llm check`)", highlight=False)
    return assistant


def _render(events, *, show_steps: bool):
    """Print tool steps as they happen; return the answer and whether a confirmation is pending."""
    from stocktake.agent.events import Answer, ConfirmationNeeded, ToolFinished, ToolStarted

    answer, pending = None, None
    for event in events:
        if isinstance(event, ToolStarted) and show_steps:
            err.print(f"[dim]→ {event.name}({event.args})[/]", highlight=False)
        elif isinstance(event, ToolFinished) and show_steps:
            first = event.content.splitlines()[0] if event.content else ""
            err.print(f"[dim]  {'✓' if event.ok else '✗'} {first[:120]} ({event.seconds:.2f}s)[/]", highlight=False)
        elif isinstance(event, ConfirmationNeeded):
            pending = event
        elif isinstance(event, Answer):
            answer = event
    return answer, pending


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="Your question, in plain language."),
    as_json: bool = typer.Option(False, "--json", help='Print {"answer", "mode", "tool_calls"}.'),
    offline: bool = typer.Option(False, "--offline", help="Don't try the LLM endpoint."),
    yes: bool = typer.Option(False, "--yes", help="Approve changes the assistant proposes without asking."),
    thread: str = typer.Option("cli", "--thread", help="Conversation to continue: questions asked with the same "
                                                      "thread share memory and cleaning session."),
) -> None:
    """Ask the assistant one question about your data."""
    if not question.strip():
        raise StocktakeError('Empty question: ask something, e.g. stocktake ask "which assets exist?"')
    assistant = _assistant(ctx, offline)
    answer, pending = _render(assistant.stream(question, thread), show_steps=not as_json)
    calls = list(answer.tool_calls)
    if pending is not None:
        approve = yes or (sys.stdin.isatty() and not as_json and typer.confirm("Apply this change?"))
        if approve:
            answer, _ = _render(assistant.resume(thread, True), show_steps=not as_json)
            calls += list(answer.tool_calls)
        else:
            err.print("[yellow]Not applied.[/] Re-run with --yes to approve.", highlight=False)
    if as_json:
        print_json({"answer": answer.text, "mode": answer.mode, "tool_calls": calls, "status": answer.status,
                    "reading": answer.reading, "sql": answer.sql, "table": answer.table,
                    "suggestions": list(answer.suggestions)})
    else:
        out.print(Markdown(answer.text))
        for suggestion in answer.suggestions:  # the closest readings, ready to run
            err.print(f"[dim]  stocktake ask {shlex.quote(suggestion)}[/]", highlight=False)


def chat(
    ctx: typer.Context,
    offline: bool = typer.Option(False, "--offline", help="Don't try the LLM endpoint."),
    thread: str = typer.Option(None, "--thread", help="Continue this conversation (default: a new one each run)."),
) -> None:
    """A conversation in the terminal (Ctrl-D or 'exit' to leave)."""
    thread = thread or f"chat-{uuid.uuid4().hex[:8]}"
    assistant = _assistant(ctx, offline)
    err.print(f"Stocktake chat ({assistant.model_name}). Ask about your data; 'exit' to leave.")
    offered: tuple[str, ...] = ()
    while True:
        try:
            question = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if question.lower() in ("exit", "quit"):
            break
        if not question:
            continue
        if question.isdigit() and 1 <= int(question) <= len(offered):  # a numbered choice from the last answer
            question = offered[int(question) - 1]
            err.print(f"[dim]→ {question}[/]", highlight=False)
        answer, pending = _render(assistant.stream(question, thread), show_steps=True)
        out.print(Markdown(answer.text))
        offered = tuple(answer.suggestions)
        if offered:
            err.print("[dim]Type a number to ask one of these.[/]", highlight=False)
        if pending is not None:
            approve = typer.confirm("Apply this change?", default=False)
            answer, _ = _render(assistant.resume(thread, approve), show_steps=True)
            out.print(Markdown(answer.text))


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(chat)
