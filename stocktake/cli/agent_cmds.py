"""``stocktake ask`` and ``stocktake chat``: the assistant in the terminal."""

from __future__ import annotations

import shlex
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import typer
from rich.markdown import Markdown
from rich.markup import escape

from stocktake.cli.common import err, out, print_json, services
from stocktake.errors import StocktakeError

if TYPE_CHECKING:
    from stocktake.agent.events import Answer, ConfirmationNeeded


def _assistant(ctx: typer.Context, offline: bool):
    from stocktake.agent.assistant import connect_assistant

    with err.status("Connecting to the language model…"):
        assistant = connect_assistant(services(ctx), offline=offline)
    if assistant.mode == "offline" and not offline:
        err.print("[yellow]No LLM endpoint answered: offline mode.[/] (see `stocktake llm check`)", highlight=False)
    return assistant


FILE_TOOLS = ("inventory_report",)  # tools that write a file: the answer ends with a link to it


class Turn(NamedTuple):
    answer: Answer
    pending: ConfirmationNeeded | None
    files: tuple[Path, ...]


def _render(events, *, show_steps: bool) -> Turn:
    """Print tool steps as they happen; return the answer, whether a confirmation is pending, and the files
    the turn wrote."""
    from stocktake.agent.events import Answer, ConfirmationNeeded, ToolFinished, ToolStarted

    answer, pending, files = None, None, []
    for event in events:
        if isinstance(event, ToolStarted) and show_steps:
            err.print(f"[dim]→ {event.name}({event.args})[/]", highlight=False)
        elif isinstance(event, ToolFinished):
            if event.ok and event.name in FILE_TOOLS and isinstance(event.artifact, dict):
                files.append(Path(event.artifact["path"]).resolve())
            if show_steps:
                first = event.content.splitlines()[0] if event.content else ""
                err.print(f"[dim]  {'✓' if event.ok else '✗'} {first[:120]} ({event.seconds:.2f}s)[/]",
                          highlight=False)
        elif isinstance(event, ConfirmationNeeded):
            pending = event
        elif isinstance(event, Answer):
            answer = event
    return Turn(answer, pending, tuple(files))


def _print_answer(turn: Turn) -> None:
    """The answer, then each file it wrote as a link that a terminal opens on click (its full path, too)."""
    out.print(Markdown(turn.answer.text))
    for path in turn.files:
        out.print(f"📄 [link={path.as_uri()}]{escape(str(path))}[/link]", highlight=False)


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
    turn = _render(assistant.stream(question, thread), show_steps=not as_json)
    calls = list(turn.answer.tool_calls)
    if turn.pending is not None:
        approve = yes or (sys.stdin.isatty() and not as_json and typer.confirm("Apply this change?"))
        if approve:
            turn = _render(assistant.resume(thread, True), show_steps=not as_json)
            calls += list(turn.answer.tool_calls)
        else:
            err.print("[yellow]Not applied.[/] Re-run with --yes to approve.", highlight=False)
    answer = turn.answer
    if as_json:
        print_json({"answer": answer.text, "mode": answer.mode, "tool_calls": calls, "status": answer.status,
                    "reading": answer.reading, "sql": answer.sql, "table": answer.table,
                    "suggestions": list(answer.suggestions), "files": [str(p) for p in turn.files]})
    else:
        _print_answer(turn)
        for suggestion in answer.suggestions:  # the closest readings, ready to run
            err.print(f"[dim]  stocktake ask {shlex.quote(suggestion)}[/]", highlight=False)
    if answer.status == "error":  # a script that asks must be able to tell a failed tool from an answer
        raise typer.Exit(1)


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
        turn = _render(assistant.stream(question, thread), show_steps=True)
        _print_answer(turn)
        offered = tuple(turn.answer.suggestions)
        if offered:
            err.print("[dim]Type a number to ask one of these.[/]", highlight=False)
        if turn.pending is not None:
            approve = typer.confirm("Apply this change?", default=False)
            _print_answer(_render(assistant.resume(thread, approve), show_steps=True))


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(chat)
