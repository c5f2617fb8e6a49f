"""The cleaning tab: a guided session on one asset. Each pending step is a card with its reason, code and a
before/after preview; accept, reject, undo the latest decision (an undone step is pending again) or redo the
decision undone last; the history lists every step with its decisions; the accepted steps download as a pandas
script; finishing writes the cleaned table as a new version of the asset, discarding closes the session and writes
nothing.

A user's mistake (no session yet, nothing to undo) is a warning toast that leaves every output as it was: raising
``gr.Error`` would mark each output of the event with a red error pill. The handlers live in ``Handlers`` so
tests can call them without a browser."""

from __future__ import annotations

import functools

import gradio as gr
import pandas as pd

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.serve.common import AppContext, frame, readable, web_message

HISTORY_COLUMNS = ["step", "status", "kind", "what", "decisions", "origin"]
NO_SESSION = "Pick an asset and start a session, or resume one."
NO_ASSET = "Pick an asset to clean first."
REMOVED = "row removed"


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
    ``result`` column instead of showing empty values. None when there is nothing to preview."""
    if view is None or view.preview is None or not view.preview.before:
        return None
    before, after = view.preview.before, view.preview.after
    if all(a is not None for a in after):
        return pd.DataFrame(before), pd.DataFrame(after)
    columns = next((list(a) for a in after if a is not None), ["_row"])
    rows = [{"_row": b["_row"], "result": REMOVED, **{c: "" for c in columns if c != "_row"}} if a is None
            else {"_row": a["_row"], "result": "changed", **a} for b, a in zip(before, after)]
    return pd.DataFrame(before), pd.DataFrame(rows, columns=["_row", "result", *columns[1:]])


def preview_updates(view) -> tuple[gr.DataFrame, gr.DataFrame]:
    """Hidden tables when there is nothing to preview: an empty table would show the headers "1 2 3"."""
    frames = preview_frames(view)
    if frames is None:
        return gr.DataFrame(visible=False), gr.DataFrame(visible=False)
    return gr.DataFrame(frames[0], visible=True), gr.DataFrame(frames[1], visible=True)


def history_rows(session) -> pd.DataFrame:
    rows = [{"step": s.id, "status": s.status, "kind": s.kind, "what": s.what, "decisions": " → ".join(s.trail),
             "origin": s.origin} for s in session.show().steps]
    return frame(rows, HISTORY_COLUMNS)


def toasted(fn):
    """A user error becomes a warning toast and the outputs stay as they were; anything else as ``readable``."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StocktakeError as exc:
            gr.Warning(web_message(str(exc)))
            return gr.skip()

    return readable(call)


class Handlers:
    """What the tab's buttons do, each one ``toasted``. The decision handlers return, in order: the session id,
    the status line, the pending-step dropdown, the step card, the before and after tables and the history."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def _load(self, sid: str | None):
        from stocktake.tools.clean import load_session

        if not sid:
            raise StocktakeError(NO_SESSION)
        return load_session(self.catalog, sid)

    def render(self, sid: str, chosen: str | None = None, note: str = ""):
        session = self._load(sid)
        shown = session.show()
        closed = (f"Finished as {shown.finished['asset']} version {shown.finished['version']}." if shown.finished
                  else "Discarded: nothing was written." if shown.discarded else "")
        pending = [] if closed else session.proposals()
        current = next((v for v in pending if v.id == first_part(chosen)), pending[0] if pending else None)
        position = f"Step {pending.index(current) + 1} of {len(pending)} pending" if current else ""
        head = (f"Session **{sid}** on **{shown.asset}** v{shown.base_version}: {shown.base_rows:,} → "
                f"**{shown.rows:,} rows**, {len(shown.applied)} step{'' if len(shown.applied) == 1 else 's'} applied. {closed}").rstrip()
        labels = [step_label(v) for v in pending]
        return (sid, head + (f"\n\n{note}" if note else ""),
                gr.Dropdown(choices=labels, value=step_label(current) if current else None),
                card(current, position, closed), *preview_updates(current), history_rows(session))

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

    @staticmethod
    def _chosen(chosen: str | None) -> str:
        if not chosen:
            raise StocktakeError("No step is waiting for a decision.")
        return first_part(chosen)


def build(app: AppContext, tab: gr.Tab) -> None:
    h = Handlers(app.catalog)
    session_id = gr.State(None)
    with gr.Row():
        asset = gr.Dropdown(label="Asset to clean (pick one)", choices=app.catalog.names(), value=None,
                            allow_custom_value=True, scale=2)
        start = gr.Button("Start a session", variant="primary", scale=1)
        resume = gr.Dropdown(label="…or resume a session", choices=[], allow_custom_value=True, scale=2)
    status = gr.Markdown(NO_SESSION)
    step = gr.Dropdown(label="Pending step", choices=[], allow_custom_value=True)
    with gr.Group(elem_classes=["st-card"]):
        step_card = gr.Markdown(elem_id="st-step-card")
        with gr.Row():
            # Wrapped: a changed text is cut around its change, and an unwrapped cell would show only its start.
            before = gr.DataFrame(label="Before (sample rows, changed columns first)", interactive=False,
                                  visible=False, wrap=True)
            after = gr.DataFrame(label="After", interactive=False, visible=False, wrap=True)
        with gr.Row():
            accept = gr.Button("✔ Accept", variant="primary", interactive=False)
            reject = gr.Button("✖ Reject", interactive=False)
            undo = gr.Button("↶ Undo last decision", interactive=False)
            redo = gr.Button("↷ Redo", interactive=False)
    history = gr.DataFrame(frame([], HISTORY_COLUMNS), label="History", interactive=False)
    with gr.Row():
        export = gr.Button("Download the cleaning script", interactive=False)
        discard = gr.Button("🗑 Discard session (writes nothing)", interactive=False)
        finish = gr.Button("Finish: save as a new version", variant="stop", interactive=False)
    script = gr.File(label="Script", interactive=False)

    outputs = [session_id, status, step, step_card, before, after, history]
    buttons = [accept, reject, undo, redo, discard, finish, export]
    def wire(trigger, fn, inputs, api_name):
        trigger(fn, inputs, outputs, api_name=api_name).then(h.controls, [session_id], buttons, api_name=False)

    tab.select(h.assets, [asset], [asset, resume], api_name=False)
    wire(start.click, h.begin, [asset], "clean_start")
    wire(resume.input, h.resume, [resume], False)
    wire(step.input, h.pick, [session_id, step], False)
    wire(accept.click, h.accept, [session_id, step], "clean_accept")
    wire(reject.click, h.reject, [session_id, step], "clean_reject")
    wire(undo.click, h.undo, [session_id, step], "clean_undo")
    wire(redo.click, h.redo, [session_id, step], "clean_redo")
    wire(discard.click, h.discard, [session_id], "clean_discard")
    wire(finish.click, h.finish, [session_id, step], "clean_finish")
    export.click(h.script, [session_id], [script], api_name="clean_script")
