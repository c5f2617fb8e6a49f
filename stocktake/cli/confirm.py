"""Asking before a command saves something that stays, as stocktake.actions rules; ``--yes`` answers for the user.

The question goes to stderr, so that stdout stays for the output; a no, or no answer at all (stdin closed,
Ctrl+C), writes nothing and says so in one line.
"""

from __future__ import annotations

import typer

from stocktake.cli.common import err
from stocktake.errors import StocktakeError

YES = typer.Option(False, "--yes", "-y", help="Don't ask for confirmation.")


def ask_first(action: str, args: dict, yes: bool) -> None:
    """Ask the rule's question for ``action`` (stocktake.actions.question, from ``args``) where it needs one."""
    from stocktake.actions import needs_confirmation, question

    if not yes and needs_confirmation(action):
        confirm_or_stop(question(action, args))


def confirm_or_stop(asked: str) -> None:
    """Go on only on a yes to ``asked``."""
    try:
        agreed = typer.confirm(asked, err=True)
    except typer.Abort:
        err.print()
        raise StocktakeError("No answer, so nothing was written. Pass --yes to go ahead without asking.") from None
    if not agreed:
        raise StocktakeError("Cancelled; nothing was written.")
