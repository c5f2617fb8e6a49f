"""The cleaning tab: a guided session on one asset. Each pending step is a card with its reason, code and a
before/after preview; accept, reject, undo the latest decision (an undone step is pending again) or redo the
decision undone last; change a step's parameters or add a step of one's own, typed as the CLI's --param and
checked by the same code; the history lists every step with its decisions; the accepted steps download as a
pandas script; finishing writes the cleaned table as a new version of the asset, discarding closes the session
and writes nothing: both ask first, as stocktake.actions rules.

A user's mistake (no session yet, nothing to undo) is a warning toast that leaves every output as it was: raising
``gr.Error`` would mark each output of the event with a red error pill. The handlers live in ``Handlers`` so
tests can call them without a browser; they call stocktake.usecases.cleaning, and the before and after tables are
cleaning_preview's."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from stocktake.errors import StocktakeError
from stocktake.serve.common import AppContext, frame, readable, web_message
from stocktake.serve.panels.cleaning_preview import preview_updates
from stocktake.tools.clean.params import param_lines, parse_params
from stocktake.usecases import cleaning
from stocktake.usecases.services import Services
from stocktake.words import plural

HISTORY_COLUMNS = ["step", "status", "kind", "what", "decisions", "origin"]
NO_SESSION = "Pick an asset and start a session, or resume one."
NO_ASSET = "Pick an asset to clean first."


def session_label(s: cleaning.SessionRecord) -> str:
    state = f"{s.steps} steps" if s.is_open else s.status.value
    return f"{s.id} · {s.asset} v{s.base_version} · {state}"


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


def history_rows(view) -> pd.DataFrame:
    rows = [{"step": s.id, "status": s.status, "kind": s.kind, "what": s.what, "decisions": " → ".join(s.trail),
             "origin": s.origin} for s in view.steps]
    return frame(rows, HISTORY_COLUMNS)


def param_help(kind: str | None) -> str:
    """The parameters a step kind takes, with their valid values: the line under a parameter box."""
    params = next((k["params"] for k in cleaning.step_kinds() if k["kind"] == kind), None)
    if params is None:
        return ""

    def valid(p: dict) -> str:
        if p["choices"]:
            return " | ".join("null" if c is None else str(c).lower() if isinstance(c, bool) else str(c)
                              for c in p["choices"])
        return p["help"] or ("a column" if p["column"] else "a value")

    return ("One `name=value` per line; a list or a mapping as JSON, e.g. `mapping={\"home\": \"Home\"}`. "
            + " · ".join(f"`{p['name']}`: {valid(p)}" for p in params))


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

    def __init__(self, services: Services):
        self.services = services

    @staticmethod
    def _sid(sid: str | None) -> str:
        if not sid:
            raise StocktakeError(NO_SESSION)
        return sid

    def render(self, sid: str, chosen: str | None = None, note: str = "", asking: str = "", action=None,
               now: cleaning.Snapshot | None = None):
        now = now or cleaning.snapshot(self.services, self._sid(sid))
        shown, done = now.view, now.finished
        closed = (f"Finished as {done.asset} version {done.version}." if done
                  else "Discarded: nothing was written." if now.status is cleaning.Status.DISCARDED else "")
        pending = list(now.pending)
        current = next((v for v in pending if v.id == first_part(chosen)), pending[0] if pending else None)
        position = f"Step {pending.index(current) + 1} of {len(pending)} pending" if current else ""
        head = (f"Session **{shown.id}** on **{shown.asset}** v{shown.base_version}: {shown.base_rows:,} → "
                f"**{shown.rows:,} rows**, {plural(len(shown.applied), 'step')} applied. {closed}").rstrip()
        labels = [step_label(v) for v in pending]
        return (shown.id, head + (f"\n\n{note}" if note else ""),
                gr.Dropdown(choices=labels, value=step_label(current) if current else None),
                card(current, position, closed), *preview_updates(current), history_rows(shown),
                "\n".join(param_lines(current.params)) if current else "", param_help(current and current.kind),
                gr.Group(visible=bool(asking)), f"### ✋ {asking}" if asking else "", action)

    @toasted
    def assets(self, current: str | None):
        """The asset choices, none picked unless the user picked one: starting must be a deliberate choice."""
        names = self.services.catalog.names()
        sessions = [session_label(s) for s in cleaning.sessions(self.services)]
        return gr.Dropdown(choices=names, value=current if current in names else None), \
            gr.Dropdown(choices=sessions, value=None)

    @toasted
    def begin(self, name: str | None, progress=gr.Progress()):
        if not name:
            raise StocktakeError(NO_ASSET)
        progress(0.2, desc=f"Profiling {name} and proposing steps")
        started = cleaning.start(self.services, name)
        return self.render(started.view.id, now=started)

    @toasted
    def resume(self, label: str | None):
        return self.render(self._sid(first_part(label)))

    @toasted
    def pick(self, sid: str | None, chosen: str | None):
        return self.render(self._sid(sid), chosen)

    # ---- the buttons --------------------------------------------------------------------------------------
    @toasted
    def press(self, action: str, sid: str | None, chosen: str | None = None, edited: str | None = None,
              kind: str | None = None, added: str | None = None):
        """A button's action: run at once, or, where it needs confirmation, its question shown first."""
        from stocktake.actions import needs_confirmation

        if needs_confirmation(action):
            asked = cleaning.question(self.services, action, self._sid(sid))
            return self.render(sid, chosen, asking=asked, action=action)
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
        done = cleaning.accept(self.services, self._sid(sid), self._chosen(chosen))
        return self.render(sid, None, f"✔ Accepted {step_label(done.step)}")

    @toasted
    def reject(self, sid: str | None, chosen: str | None):
        done = cleaning.reject(self.services, self._sid(sid), self._chosen(chosen))
        return self.render(sid, None, f"✖ Rejected {step_label(done.step)}")

    @toasted
    def undo(self, sid: str | None, chosen: str | None = None):
        done = cleaning.undo(self.services, self._sid(sid))
        return self.render(sid, done.step.id, f"↶ Undid {step_label(done.step)}: it is pending again.")

    @toasted
    def redo(self, sid: str | None, chosen: str | None = None):
        done = cleaning.redo(self.services, self._sid(sid))
        return self.render(sid, None, f"↷ Redid {step_label(done.step)}: {done.step.status} again.")

    @toasted
    def edit(self, sid: str | None, chosen: str | None, text: str | None):
        """New parameters for the pending step, read and checked as ``stocktake clean edit`` reads its --param."""
        done = cleaning.edit(self.services, self._sid(sid), self._chosen(chosen), parse_params(form_lines(text)))
        said = f"✎ Changed {step_label(done.step)}: the preview shows it with the new parameters."
        return self.render(sid, done.step.id, said)

    @toasted
    def add(self, sid: str | None, kind: str | None, text: str | None):
        """A custom step, read and checked as ``stocktake clean add`` reads it; it waits as a proposal."""
        sid = self._sid(sid)
        if not kind:
            raise StocktakeError("Pick the kind of step to add.")
        done = cleaning.add(self.services, sid, kind, parse_params(form_lines(text)))
        return self.render(sid, done.step.id, f"➕ Added {step_label(done.step)}: accept or reject it like the "
                                              "others.")

    @toasted
    def discard(self, sid: str | None):
        done = cleaning.discard(self.services, self._sid(sid))
        return self.render(sid, None, f"🗑 Discarded the session: nothing was written, {done.asset} is unchanged.")

    @toasted
    def finish(self, sid: str | None, chosen: str | None = None):
        done = cleaning.finish(self.services, self._sid(sid))
        return self.render(sid, chosen, f"💾 Saved **{done.asset}** version {done.version}.")

    @toasted
    def script(self, sid: str | None) -> str:
        sid = self._sid(sid)
        where = self.services.catalog.ws.dir("sessions") / "cleaning" / f"{sid}.py"
        return str(cleaning.export(self.services, sid, where).path)

    @toasted
    def controls(self, sid: str | None) -> tuple[gr.Button, ...]:
        """Accept, reject, undo, redo, discard, finish and download: each usable only when it can do something."""
        now, open_ = self._state(sid)
        waiting = open_ and now.waiting
        usable = (waiting, waiting, open_ and now.decided, open_ and now.redoable, open_,
                  open_ and bool(now.view.applied), bool(now))
        return tuple(gr.Button(interactive=u) for u in usable)

    @toasted
    def editors(self, sid: str | None) -> tuple[gr.Button, gr.Button]:
        """Changing a step's parameters needs a pending step; adding one, an open session."""
        now, open_ = self._state(sid)
        return gr.Button(interactive=open_ and now.waiting), gr.Button(interactive=open_)

    def _state(self, sid: str | None) -> tuple[cleaning.Snapshot | None, bool]:
        now = cleaning.snapshot(self.services, sid, previews=False) if sid else None
        return now, now is not None and now.status is cleaning.Status.OPEN

    @staticmethod
    def _chosen(chosen: str | None) -> str:
        if not chosen:
            raise StocktakeError("No step is waiting for a decision.")
        return first_part(chosen)


def build(app: AppContext, tab: gr.Tab) -> None:
    ui = _layout(app)
    _wire(Handlers(app.services), tab, ui)


def _layout(app: AppContext) -> SimpleNamespace:
    """The tab's controls, top to bottom, by name."""
    ui = SimpleNamespace(session_id=gr.State(None), waiting=gr.State(None))
    with gr.Row():
        ui.asset = gr.Dropdown(label="Asset to clean (pick one)", choices=app.catalog.names(), value=None,
                               allow_custom_value=True, scale=2)
        ui.start = gr.Button("Start a session", variant="primary", scale=1)
        ui.resume = gr.Dropdown(label="…or resume a session", choices=[], allow_custom_value=True, scale=2)
    ui.status = gr.Markdown(NO_SESSION)
    ui.step = gr.Dropdown(label="Pending step", choices=[], allow_custom_value=True)
    _step_card(ui)
    _add_form(ui)
    ui.history = gr.DataFrame(frame([], HISTORY_COLUMNS), label="History", interactive=False)
    with gr.Row():
        ui.export = gr.Button("Download the cleaning script", interactive=False)
        ui.discard = gr.Button("🗑 Discard session (writes nothing)", interactive=False)
        ui.finish = gr.Button("Finish: save as a new version", variant="stop", interactive=False)
    with gr.Group(visible=False, elem_id="st-clean-confirm") as ui.asking:
        ui.question = gr.Markdown(elem_id="st-clean-question")
        with gr.Row():
            ui.yes = gr.Button("✔ Yes, go ahead", variant="primary", elem_id="st-clean-yes")
            ui.no = gr.Button("✖ Cancel", elem_id="st-clean-no")
    ui.script = gr.File(label="Script", interactive=False)
    return ui


def _step_card(ui: SimpleNamespace) -> None:
    with gr.Group(elem_classes=["st-card"]):
        ui.step_card = gr.Markdown(elem_id="st-step-card")
        # One above the other, each as wide as the page and scrolling sideways: side by side, a wide table
        # squeezed its changed column to a letter. Wrapped, since a changed text is cut around its change.
        ui.before = gr.DataFrame(label="Before (sample rows, changed columns first)", interactive=False,
                                 visible=False, wrap=True, elem_id="st-before", elem_classes=["st-preview"])
        ui.after = gr.DataFrame(label="After", interactive=False, visible=False, wrap=True, elem_id="st-after",
                                elem_classes=["st-preview"])
        with gr.Accordion("Change this step's parameters", open=False, elem_id="st-edit-step"):
            ui.edited = gr.Textbox(label="Parameters", lines=3, elem_id="st-edit-params")
            ui.edit_help = gr.Markdown()
            ui.edit = gr.Button("Apply the new parameters", interactive=False, elem_id="st-edit")
        with gr.Row():
            ui.accept = gr.Button("✔ Accept", variant="primary", interactive=False)
            ui.reject = gr.Button("✖ Reject", interactive=False)
            ui.undo = gr.Button("↶ Undo last decision", interactive=False)
            ui.redo = gr.Button("↷ Redo", interactive=False)


def _add_form(ui: SimpleNamespace) -> None:
    with gr.Accordion("Add a step of your own", open=False, elem_id="st-add-step"):
        with gr.Row():
            ui.kind = gr.Dropdown(label="Kind of step", choices=[k["kind"] for k in cleaning.step_kinds()],
                                  value=None, scale=1, elem_id="st-add-kind")
            ui.added = gr.Textbox(label="Parameters", lines=3, scale=2, elem_id="st-add-params")
        ui.add_help = gr.Markdown()
        ui.add = gr.Button("Add the step", interactive=False, elem_id="st-add")


def _wire(h: Handlers, tab: gr.Tab, ui: SimpleNamespace) -> None:
    outputs = [ui.session_id, ui.status, ui.step, ui.step_card, ui.before, ui.after, ui.history, ui.edited,
               ui.edit_help, ui.asking, ui.question, ui.waiting]
    buttons = [ui.accept, ui.reject, ui.undo, ui.redo, ui.discard, ui.finish, ui.export]
    form = [ui.session_id, ui.step, ui.edited, ui.kind, ui.added]

    def wire(trigger, fn, inputs, api_name):
        done = trigger(fn, inputs, outputs, api_name=api_name)
        done.then(h.controls, [ui.session_id], buttons, api_name=False)
        done.then(h.editors, [ui.session_id], [ui.edit, ui.add], api_name=False)

    tab.select(h.assets, [ui.asset], [ui.asset, ui.resume], api_name=False)
    wire(ui.start.click, h.begin, [ui.asset], "clean_start")
    wire(ui.resume.input, h.resume, [ui.resume], False)
    wire(ui.step.input, h.pick, [ui.session_id, ui.step], False)
    for button, action, api_name in ((ui.accept, "accept_step", "clean_accept"),
                                     (ui.reject, "reject_step", "clean_reject"), (ui.undo, "undo_step", "clean_undo"),
                                     (ui.redo, "redo_step", "clean_redo"), (ui.edit, "edit_step", "clean_edit"),
                                     (ui.add, "add_step", "clean_add"),
                                     (ui.discard, "discard_session", "clean_discard"),
                                     (ui.finish, "finish_session", "clean_finish")):
        wire(button.click, functools.partial(h.press, action), form, api_name)
    wire(ui.yes.click, h.confirmed, [ui.waiting, ui.session_id, ui.step], "clean_confirm")
    wire(ui.no.click, h.cancelled, [ui.session_id, ui.step], False)
    ui.kind.change(param_help, [ui.kind], [ui.add_help], api_name=False)
    ui.export.click(h.script, [ui.session_id], [ui.script], api_name="clean_script")
