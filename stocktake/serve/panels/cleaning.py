"""The cleaning tab: a guided session on one asset. Each pending step is a card with its reason, code and a
before/after preview; accept, reject, undo the latest decision (an undone step is pending again) or redo the
decision undone last; change a step's parameters or add a step of one's own, typed as the CLI's --param and
checked by the same code; the history lists every step with its decisions; the accepted steps download as a
pandas script; finishing writes the cleaned table as a new version of the asset, discarding closes the session
and writes nothing: both ask first, as stocktake.actions rules.

A user's mistake (no session yet, nothing to undo) is a warning toast that leaves every output as it was: raising
``gr.Error`` would mark each output of the event with a red error pill. The handlers live in ``Handlers`` so
tests can call them without a browser."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.serve.common import AppContext, frame, readable, web_message
from stocktake.tools.clean.params import param_lines, parse_params
from stocktake.words import plural

HISTORY_COLUMNS = ["step", "status", "kind", "what", "decisions", "origin"]
NO_SESSION = "Pick an asset and start a session, or resume one."
NO_ASSET = "Pick an asset to clean first."
REMOVED = "row removed"
KEPT = "kept"


def session_label(s: dict) -> str:
    state = "finished" if s["finished"] else "discarded" if s.get("discarded") else f"{s['steps']} steps"
    return f"{s['id']} · {s['asset']} v{s['base_version']} · {state}"


def step_label(view) -> str:
    """What the pending-step dropdown shows and hands back; handlers read the id before the first ' · '."""
    return f"{view.id} · {view.what}"


def first_part(label: str | None) -> str | None:
    return label.split(" · ")[0].strip() if label else None


def card(view, position: str, closed: str = "") -> str:
    if closed:
        return f"### 🔒 {closed}\nStart a new session to clean further."
    if view is None:
        return "### ✅ No step is waiting\nDownload the script, or finish the session if it is still open."
    rows = f"**{view.preview.rows_affected:,} rows affected**" if view.preview else ""
    removed = f", {view.preview.rows_removed:,} removed" if view.preview and view.preview.rows_removed else ""
    problem = f"\n\n⚠️ Cannot run on the current table: {view.problem}" if view.problem else ""
    again = f"\n\n↶ Pending again (history: {' → '.join(view.trail)})." if view.trail else ""
    return (f"### {position} · {view.kind}\n**{view.what}**\n\n_Why_: {view.why}\n\n{rows}{removed}{problem}{again}"
            f"\n\n```python\n{view.code}\n```")


def preview_frames(view) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The sampled rows before and after the step, the changed columns first; a removed row says so in a
    ``result`` column instead of showing empty values, and removed duplicates come right under the row kept in
    their place (marked kept), in both tables. None when there is nothing to preview."""
    if view is None or view.preview is None or not view.preview.before:
        return None
    p = view.preview
    if not p.kept and all(a is not None for a in p.after):
        return pd.DataFrame(p.before), pd.DataFrame(p.after)
    columns = next((list(r) for r in (*p.after, *p.kept) if r is not None), ["_row"])
    blank = {c: "" for c in columns if c != "_row"}
    groups: dict[int, list[tuple]] = {}  # the kept row (or the row itself) -> its sampled rows, in sample order
    for b, a, k in zip(p.before, p.after, p.kept or [None] * len(p.before)):
        groups.setdefault(k["_row"] if k else b["_row"], []).append((b, a, k))
    before, after = [], []
    for members in groups.values():
        kept = members[0][2]
        if kept is not None:
            before.append(kept)
            after.append({"_row": kept["_row"], "result": KEPT, **kept})
        for b, a, k in members:
            before.append(b)
            removed = f"{REMOVED}, a duplicate of row {k['_row']}" if k else REMOVED
            after.append({"_row": a["_row"], "result": "changed", **a} if a is not None
                         else {"_row": b["_row"], "result": removed, **blank})
    return pd.DataFrame(before), pd.DataFrame(after, columns=["_row", "result", *columns[1:]])


@dataclass(frozen=True)
class PreviewLayout:
    char_px: int = 9  # about one character of the table's monospace font
    padding_px: int = 28  # a cell's padding and its sort icon
    widest_chars: int = 32  # a longer value wraps within this width instead of widening its column


def column_widths(df: pd.DataFrame, layout: PreviewLayout = PreviewLayout()) -> list[str]:
    """Each column as wide as its header and (up to a limit) its values: left to itself, the table squeezes a
    column to a letter and breaks its header letter by letter. A wider table scrolls sideways."""
    def chars(column) -> int:
        values = max((len(str(v)) for v in df[column]), default=0)
        return max(len(str(column)), min(values, layout.widest_chars))

    return [f"{chars(c) * layout.char_px + layout.padding_px}px" for c in df.columns]


def preview_updates(view) -> tuple[gr.DataFrame, gr.DataFrame]:
    """Hidden tables when there is nothing to preview: an empty table would show the headers "1 2 3"."""
    frames = preview_frames(view)
    if frames is None:
        return gr.DataFrame(visible=False), gr.DataFrame(visible=False)
    return tuple(gr.DataFrame(f, visible=True, column_widths=column_widths(f)) for f in frames)


def history_rows(session) -> pd.DataFrame:
    rows = [{"step": s.id, "status": s.status, "kind": s.kind, "what": s.what, "decisions": " → ".join(s.trail),
             "origin": s.origin} for s in session.show().steps]
    return frame(rows, HISTORY_COLUMNS)


def param_help(kind: str | None) -> str:
    """The parameters a step kind takes, with their valid values: the line under a parameter box."""
    from stocktake.tools.clean import get_step

    if not kind:
        return ""

    def valid(p) -> str:
        if p.choices:
            return " | ".join("null" if c is None else str(c).lower() if isinstance(c, bool) else str(c)
                              for c in p.choices)
        return p.help or ("a column" if p.column else "a value")

    return ("One `name=value` per line; a list or a mapping as JSON, e.g. `mapping={\"home\": \"Home\"}`. "
            + " · ".join(f"`{p.name}`: {valid(p)}" for p in get_step(kind).params))


def form_lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def toasted(fn):
    """A user error becomes a warning toast, in the web's words, and the outputs stay as they were; anything else
    as ``readable``."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StocktakeError as exc:
            gr.Warning(web_message(exc))
            return gr.skip()

    return readable(call)


class Handlers:
    """What the tab's buttons do, each one ``toasted``. The session handlers return, in order: the session id,
    the status line, the pending-step dropdown, the step card, the before and after tables, the history, the
    step's parameter box and its help, then the confirmation box, its question and the action it waits on.

    Every button goes through ``press``, which asks the rule in stocktake.actions whether its action needs
    confirmation: those show their question first and run on ``confirmed``; the others run at once."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def _load(self, sid: str | None):
        from stocktake.tools.clean import load_session

        if not sid:
            raise StocktakeError(NO_SESSION)
        return load_session(self.catalog, sid)

    def render(self, sid: str, chosen: str | None = None, note: str = "", asking: str = "", action=None):
        session = self._load(sid)
        shown = session.show()
        closed = (f"Finished as {shown.finished['asset']} version {shown.finished['version']}." if shown.finished
                  else "Discarded: nothing was written." if shown.discarded else "")
        pending = [] if closed else session.proposals()
        current = next((v for v in pending if v.id == first_part(chosen)), pending[0] if pending else None)
        position = f"Step {pending.index(current) + 1} of {len(pending)} pending" if current else ""
        head = (f"Session **{sid}** on **{shown.asset}** v{shown.base_version}: {shown.base_rows:,} → "
                f"**{shown.rows:,} rows**, {plural(len(shown.applied), 'step')} applied. {closed}").rstrip()
        labels = [step_label(v) for v in pending]
        return (sid, head + (f"\n\n{note}" if note else ""),
                gr.Dropdown(choices=labels, value=step_label(current) if current else None),
                card(current, position, closed), *preview_updates(current), history_rows(session),
                "\n".join(param_lines(current.params)) if current else "", param_help(current and current.kind),
                gr.Group(visible=bool(asking)), f"### ✋ {asking}" if asking else "", action)

    @toasted
    def assets(self, current: str | None):
        """The asset choices, none picked unless the user picked one: starting must be a deliberate choice."""
        from stocktake.tools.clean import list_sessions

        names = self.catalog.names()
        sessions = [session_label(s) for s in list_sessions(self.catalog.ws)]
        return gr.Dropdown(choices=names, value=current if current in names else None), \
            gr.Dropdown(choices=sessions, value=None)

    @toasted
    def begin(self, name: str | None, progress=gr.Progress()):
        from stocktake.tools.clean import start_session

        if not name:
            raise StocktakeError(NO_ASSET)
        progress(0.2, desc=f"Profiling {name} and proposing steps")
        return self.render(start_session(self.catalog, name).id)

    @toasted
    def resume(self, label: str | None):
        return self.render(self._load(first_part(label)).id)

    @toasted
    def pick(self, sid: str | None, chosen: str | None):
        return self.render(self._load(sid).id, chosen)

    # ---- the buttons --------------------------------------------------------------------------------------
    @toasted
    def press(self, action: str, sid: str | None, chosen: str | None = None, edited: str | None = None,
              kind: str | None = None, added: str | None = None):
        """A button's action: run at once, or, where it needs confirmation, its question shown first."""
        from stocktake.actions import needs_confirmation, session_question

        if needs_confirmation(action):
            return self.render(sid, chosen, asking=session_question(action, self._load(sid)), action=action)
        return self._run(action, sid, chosen, edited, kind, added)

    @toasted
    def confirmed(self, action: str | None, sid: str | None, chosen: str | None = None):
        if not action:
            raise StocktakeError("Nothing is waiting for your confirmation.")
        return self._run(action, sid, chosen)

    @toasted
    def cancelled(self, sid: str | None, chosen: str | None = None):
        return self.render(sid, chosen, "Cancelled: nothing was saved or discarded.")

    def _run(self, action: str, sid, chosen, edited=None, kind=None, added=None):
        runs = {"accept_step": lambda: self.accept(sid, chosen), "reject_step": lambda: self.reject(sid, chosen),
                "undo_step": lambda: self.undo(sid), "redo_step": lambda: self.redo(sid),
                "edit_step": lambda: self.edit(sid, chosen, edited), "add_step": lambda: self.add(sid, kind, added),
                "finish_session": lambda: self.finish(sid, chosen), "discard_session": lambda: self.discard(sid)}
        return runs[action]()

    @toasted
    def accept(self, sid: str | None, chosen: str | None):
        view = self._load(sid).accept(self._chosen(chosen))
        return self.render(sid, None, f"✔ Accepted {step_label(view)}")

    @toasted
    def reject(self, sid: str | None, chosen: str | None):
        view = self._load(sid).reject(self._chosen(chosen))
        return self.render(sid, None, f"✖ Rejected {step_label(view)}")

    @toasted
    def undo(self, sid: str | None, chosen: str | None = None):
        view = self._load(sid).undo()
        return self.render(sid, view.id, f"↶ Undid {step_label(view)}: it is pending again.")

    @toasted
    def redo(self, sid: str | None, chosen: str | None = None):
        view = self._load(sid).redo()
        return self.render(sid, None, f"↷ Redid {step_label(view)}: {view.status} again.")

    @toasted
    def edit(self, sid: str | None, chosen: str | None, text: str | None):
        """New parameters for the pending step, read and checked as ``stocktake clean edit`` reads its --param."""
        session = self._load(sid)
        view = session.edit_step(self._chosen(chosen), parse_params(form_lines(text)))
        return self.render(sid, view.id, f"✎ Changed {step_label(view)}: the preview shows it with the new "
                                         "parameters.")

    @toasted
    def add(self, sid: str | None, kind: str | None, text: str | None):
        """A custom step, read and checked as ``stocktake clean add`` reads it; it waits as a proposal."""
        session = self._load(sid)
        if not kind:
            raise StocktakeError("Pick the kind of step to add.")
        view = session.add_custom_step(kind, parse_params(form_lines(text)))
        return self.render(sid, view.id, f"➕ Added {step_label(view)}: accept or reject it like the others.")

    @toasted
    def discard(self, sid: str | None):
        session = self._load(sid)
        session.discard()
        return self.render(sid, None, f"🗑 Discarded the session: nothing was written, {session.asset} is unchanged.")

    @toasted
    def finish(self, sid: str | None, chosen: str | None = None):
        done = self._load(sid).finish()
        return self.render(sid, chosen, f"💾 Saved **{done['asset']}** version {done['version']}.")

    @toasted
    def script(self, sid: str | None) -> str:
        session = self._load(sid)
        return str(session.export_script(self.catalog.ws.dir("sessions") / "cleaning" / f"{sid}.py"))

    @toasted
    def controls(self, sid: str | None) -> tuple[gr.Button, ...]:
        """Accept, reject, undo, redo, discard, finish and download: each usable only when it can do something."""
        session = self._load(sid) if sid else None
        shown = session.show() if session else None
        open_ = bool(shown) and not (shown.finished or shown.discarded)
        pending = open_ and any(s.status == "proposed" for s in shown.steps)
        decided = open_ and any(s.status != "proposed" for s in shown.steps)
        redoable = open_ and session.redoable
        usable = (pending, pending, decided, redoable, open_, open_ and bool(shown.applied), bool(shown))
        return tuple(gr.Button(interactive=u) for u in usable)

    @toasted
    def editors(self, sid: str | None) -> tuple[gr.Button, gr.Button]:
        """Changing a step's parameters needs a pending step; adding one, an open session."""
        shown = self._load(sid).show() if sid else None
        open_ = bool(shown) and not (shown.finished or shown.discarded)
        return (gr.Button(interactive=open_ and any(s.status == "proposed" for s in shown.steps)),
                gr.Button(interactive=open_))

    @staticmethod
    def _chosen(chosen: str | None) -> str:
        if not chosen:
            raise StocktakeError("No step is waiting for a decision.")
        return first_part(chosen)


def build(app: AppContext, tab: gr.Tab) -> None:
    from stocktake.tools.clean import STEP_TYPES

    h = Handlers(app.catalog)
    session_id, waiting = gr.State(None), gr.State(None)
    with gr.Row():
        asset = gr.Dropdown(label="Asset to clean (pick one)", choices=app.catalog.names(), value=None,
                            allow_custom_value=True, scale=2)
        start = gr.Button("Start a session", variant="primary", scale=1)
        resume = gr.Dropdown(label="…or resume a session", choices=[], allow_custom_value=True, scale=2)
    status = gr.Markdown(NO_SESSION)
    step = gr.Dropdown(label="Pending step", choices=[], allow_custom_value=True)
    with gr.Group(elem_classes=["st-card"]):
        step_card = gr.Markdown(elem_id="st-step-card")
        # One above the other, each as wide as the page and scrolling sideways: side by side, a wide table
        # squeezed its changed column to a letter. Wrapped, since a changed text is cut around its change.
        before = gr.DataFrame(label="Before (sample rows, changed columns first)", interactive=False,
                              visible=False, wrap=True, elem_id="st-before", elem_classes=["st-preview"])
        after = gr.DataFrame(label="After", interactive=False, visible=False, wrap=True, elem_id="st-after",
                             elem_classes=["st-preview"])
        with gr.Accordion("Change this step's parameters", open=False, elem_id="st-edit-step"):
            edited = gr.Textbox(label="Parameters", lines=3, elem_id="st-edit-params")
            edit_help = gr.Markdown()
            edit = gr.Button("Apply the new parameters", interactive=False, elem_id="st-edit")
        with gr.Row():
            accept = gr.Button("✔ Accept", variant="primary", interactive=False)
            reject = gr.Button("✖ Reject", interactive=False)
            undo = gr.Button("↶ Undo last decision", interactive=False)
            redo = gr.Button("↷ Redo", interactive=False)
    with gr.Accordion("Add a step of your own", open=False, elem_id="st-add-step"):
        with gr.Row():
            kind = gr.Dropdown(label="Kind of step", choices=list(STEP_TYPES), value=None, scale=1,
                               elem_id="st-add-kind")
            added = gr.Textbox(label="Parameters", lines=3, scale=2, elem_id="st-add-params")
        add_help = gr.Markdown()
        add = gr.Button("Add the step", interactive=False, elem_id="st-add")
    history = gr.DataFrame(frame([], HISTORY_COLUMNS), label="History", interactive=False)
    with gr.Row():
        export = gr.Button("Download the cleaning script", interactive=False)
        discard = gr.Button("🗑 Discard session (writes nothing)", interactive=False)
        finish = gr.Button("Finish: save as a new version", variant="stop", interactive=False)
    with gr.Group(visible=False, elem_id="st-clean-confirm") as asking:
        question = gr.Markdown(elem_id="st-clean-question")
        with gr.Row():
            yes = gr.Button("✔ Yes, go ahead", variant="primary", elem_id="st-clean-yes")
            no = gr.Button("✖ Cancel", elem_id="st-clean-no")
    script = gr.File(label="Script", interactive=False)

    outputs = [session_id, status, step, step_card, before, after, history, edited, edit_help, asking, question,
               waiting]
    buttons = [accept, reject, undo, redo, discard, finish, export]
    form = [session_id, step, edited, kind, added]

    def wire(trigger, fn, inputs, api_name):
        done = trigger(fn, inputs, outputs, api_name=api_name)
        done.then(h.controls, [session_id], buttons, api_name=False)
        done.then(h.editors, [session_id], [edit, add], api_name=False)

    def pressed(action: str):
        return functools.partial(h.press, action)

    tab.select(h.assets, [asset], [asset, resume], api_name=False)
    wire(start.click, h.begin, [asset], "clean_start")
    wire(resume.input, h.resume, [resume], False)
    wire(step.input, h.pick, [session_id, step], False)
    for button, action, api_name in ((accept, "accept_step", "clean_accept"), (reject, "reject_step", "clean_reject"),
                                     (undo, "undo_step", "clean_undo"), (redo, "redo_step", "clean_redo"),
                                     (edit, "edit_step", "clean_edit"), (add, "add_step", "clean_add"),
                                     (discard, "discard_session", "clean_discard"),
                                     (finish, "finish_session", "clean_finish")):
        wire(button.click, pressed(action), form, api_name)
    wire(yes.click, h.confirmed, [waiting, session_id, step], "clean_confirm")
    wire(no.click, h.cancelled, [session_id, step], False)
    kind.change(param_help, [kind], [add_help], api_name=False)
    export.click(h.script, [session_id], [script], api_name="clean_script")
