"""Which actions ask the user first, and the question they ask: one rule that every surface follows.

The rule: **an action asks for confirmation when it cannot be taken back where it was done.** Saving something
that stays (a new version of an asset, a trained model or an audit, an asset's description, a session taken
over by a conversation) or throwing work away (discarding a cleaning session) asks. Reading and previewing do
not, and neither do the decisions inside an open cleaning session (start it, accept, reject, edit or add a
step, undo, redo): undo or another edit takes each back, and none reaches the catalog until the session is
finished, which asks. Asking before every reversible step would teach people to click through the question,
and then it protects nothing when it matters.

The chat agent's gating (``stocktake.agent``), the cleaning tab's buttons (``stocktake.serve.panels.cleaning``)
and the cleaning commands (``stocktake clean``) all ask :func:`needs_confirmation`, and put the question in the
words written here.
"""

from __future__ import annotations

from enum import Enum

from stocktake.errors import UnknownNameError
from stocktake.words import plural


class Effect(Enum):
    READS = "reads"  # shows or previews; at most writes a report or a script that can be written again
    SESSION = "changes an open cleaning session"  # undo, another edit or discarding takes it back
    SAVES = "saves something that stays"  # a version, a model, an audit, a description, a session's owner
    DISCARDS = "throws work away"


ASKS = frozenset({Effect.SAVES, Effect.DISCARDS})

ACTIONS: dict[str, Effect] = {
    "start_session": Effect.SESSION,
    "preview_step": Effect.READS,
    "accept_step": Effect.SESSION,
    "reject_step": Effect.SESSION,
    "undo_step": Effect.SESSION,
    "redo_step": Effect.SESSION,
    "edit_step": Effect.SESSION,
    "add_step": Effect.SESSION,
    "export_script": Effect.READS,
    "finish_session": Effect.SAVES,
    "discard_session": Effect.DISCARDS,
    "pick_up_session": Effect.SAVES,
    "train_classifier": Effect.SAVES,
    "predict_labels": Effect.SAVES,
    "audit_labels": Effect.SAVES,
    "train_recommenders": Effect.SAVES,
    "describe_asset": Effect.SAVES,
    "write_report": Effect.READS,
    "sync_source": Effect.SAVES,
    "remove_source": Effect.DISCARDS,
}


def effect(action: str) -> Effect:
    if action not in ACTIONS:
        raise UnknownNameError("action", action, ACTIONS)
    return ACTIONS[action]


def needs_confirmation(action: str) -> bool:
    """Whether ``action`` asks the user before it runs (see the module's rule)."""
    return effect(action) in ASKS


# ---- the questions, in plain words ----------------------------------------------------------------------------
def finish_question(summary) -> str:
    """"Save products as version 2 with 3 cleaning steps applied?" (``summary``: a session's FinishSummary)."""
    steps = plural(len(summary.steps), "cleaning step")
    if summary.how == "branch":
        return (f"Save the cleaned table as the new asset {summary.target} (version {summary.version}) with {steps} "
                "applied?")
    if summary.how == "rebase":
        return (f"Save {summary.target} as version {summary.version} with {steps} applied, replayed onto its latest "
                f"version {summary.latest}?")
    return f"Save {summary.target} as version {summary.version} with {steps} applied?"


def discard_question(session) -> str:
    session.check_open()
    accepted = len(session.show().applied)
    dropped = f"Its {plural(accepted, 'accepted step')} will be dropped; " if accepted else "Nothing was accepted; "
    return f"Discard cleaning session {session.id} on {session.asset}? {dropped}{session.asset} stays as it is."


def pick_up_question(session) -> str:
    session.check_open()
    return (f"Work on cleaning session {session.id} on {session.asset} in this conversation? Other conversations "
            "cannot use it afterwards.")


def session_question(action: str, session, mode: str | None = None) -> str:
    """The question for an action on a cleaning session, the session checked first (open, and with something to
    save for a finish): an error says why there is nothing to ask."""
    questions = {"finish_session": lambda: finish_question(session.finish_summary(mode)),
                 "discard_session": lambda: discard_question(session),
                 "pick_up_session": lambda: pick_up_question(session)}
    return questions[action]()


def question(action: str, args: dict) -> str:
    """The question for an action that is not about a cleaning session, from the arguments it runs with."""
    asset = args.get("asset") or "the asset"
    label = f"the {args['label_column']} labels" if args.get("label_column") else "the labels"
    questions = {
        "train_classifier": f"Train a text classifier on {asset} and save the model?",
        "predict_labels": f"Add the labels that model {args.get('model_id')} predicts to {asset}, as a new version?",
        "audit_labels": f"Check {label} of {asset} for mistakes? This trains a model and saves the audit.",
        "train_recommenders": f"Train recommenders ({args.get('models') or 'the default models'}) on {asset} and save "
                              "the models?",
        "describe_asset": f"Save this description of {asset}: “{args.get('description', '')}”?",
        "sync_source": f"Read the source {args.get('source')} again and save a new version of each table whose "
                       "content changed?",
        "remove_source": f"Forget the source {args.get('source')}? " + (
            "Its assets and every version of them are removed too." if args.get("with_assets") else
            "Its assets stay in the catalog, every version kept."),
    }
    return questions.get(action) or f"{action.replace('_', ' ').capitalize()}?"
