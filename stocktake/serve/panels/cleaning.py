"""The cleaning tab: a guided session on one asset. Each proposed step is a card with its reason, code and a
before/after preview; accept, reject or undo it; the history lists every decision; the accepted steps
download as a pandas script, and finishing writes the cleaned table as a new version of the asset."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from stocktake.serve.common import AppContext, choices, frame, readable

HISTORY_COLUMNS = ["step", "status", "kind", "what", "origin"]
NO_SESSION = "Pick an asset and start a session, or resume one."


def session_label(s: dict) -> str:
    state = "finished" if s["finished"] else "discarded" if s.get("discarded") else f"{s['steps']} steps"
    return f"{s['id']} · {s['asset']} v{s['base_version']} · {state}"


def card(view, position: str) -> str:
    if view is None:
        return "### ✅ No step is waiting\nDownload the script, or finish the session if it is still open."
    rows = f"**{view.preview.rows_affected:,} rows affected**" if view.preview else ""
    removed = f", {view.preview.rows_removed:,} removed" if view.preview and view.preview.rows_removed else ""
    problem = f"\n\n⚠️ Cannot run on the current table: {view.problem}" if view.problem else ""
    return (f"### {position} · {view.kind}\n**{view.what}**\n\n_Why_: {view.why}\n\n{rows}{removed}{problem}\n\n"
            f"```python\n{view.code}\n```")


def preview_frames(view) -> tuple[pd.DataFrame, pd.DataFrame]:
    if view is None or view.preview is None:
        return pd.DataFrame(), pd.DataFrame()
    before = pd.DataFrame(view.preview.before)
    # A step that removes the sampled rows has no "after" rows: keep the header so the table says so.
    return before, pd.DataFrame(view.preview.after, columns=None if view.preview.after else before.columns)


def history_rows(session) -> pd.DataFrame:
    shown = session.show()
    rows = [{"step": s.id, "status": s.status, "kind": s.kind, "what": s.what, "origin": s.origin}
            for s in shown.steps]
    return frame(rows, HISTORY_COLUMNS)


def build(app: AppContext, tab: gr.Tab) -> None:
    from stocktake.tools.clean import list_sessions, load_session, start_session

    catalog = app.catalog
    session_id = gr.State(None)
    with gr.Row():
        asset = gr.Dropdown(label="Asset to clean", choices=catalog.names(), value=None, allow_custom_value=True,
                            scale=2)
        start = gr.Button("Start a session", variant="primary", scale=1)
        resume = gr.Dropdown(label="…or resume a session", choices=[], allow_custom_value=True, scale=2)
    status = gr.Markdown(NO_SESSION)
    step = gr.Dropdown(label="Pending step", choices=[], allow_custom_value=True)
    with gr.Group(elem_classes=["st-card"]):
        step_card = gr.Markdown(elem_id="st-step-card")
        with gr.Row():
            before = gr.DataFrame(label="Before (sample rows)", interactive=False)
            after = gr.DataFrame(label="After", interactive=False)
        with gr.Row():
            accept = gr.Button("✔ Accept", variant="primary")
            reject = gr.Button("✖ Reject")
            undo = gr.Button("↶ Undo last accepted")
    history = gr.DataFrame(frame([], HISTORY_COLUMNS), label="History", interactive=False)
    with gr.Row():
        export = gr.Button("Download the cleaning script")
        finish = gr.Button("Finish: save as a new version", variant="stop")
    script = gr.File(label="Script", interactive=False)

    def render(sid: str | None, chosen: str | None = None, note: str = ""):
        if not sid:
            return sid, NO_SESSION, gr.Dropdown(choices=[], value=None), "", pd.DataFrame(), pd.DataFrame(), \
                frame([], HISTORY_COLUMNS)
        session = load_session(catalog, sid)
        pending = [] if session.state["finished"] or session.state.get("discarded") else session.proposals()
        ids = [v.id for v in pending]
        current = next((v for v in pending if v.id == chosen), pending[0] if pending else None)
        shown = session.show()
        position = f"Step {ids.index(current.id) + 1} of {len(ids)} pending" if current else ""
        head = (f"Session **{sid}** on **{shown.asset}** v{shown.base_version}: {shown.base_rows:,} → "
                f"**{shown.rows:,} rows**, {len(shown.applied)} step(s) applied."
                + (f" Finished as version {shown.finished['version']}." if shown.finished else "")
                + (" Discarded: nothing was saved." if session.state.get("discarded") else ""))
        return (sid, head + (f"\n\n{note}" if note else ""), choices(ids, current.id if current else None),
                card(current, position), *preview_frames(current), history_rows(session))

    @readable
    def load_lists(current_asset: str | None):
        sessions = [session_label(s) for s in list_sessions(catalog.ws)]
        return choices(catalog.names(), current_asset), gr.Dropdown(choices=sessions, value=None)

    @readable
    def begin(name: str | None, progress=gr.Progress()):
        if not name:
            raise gr.Error("Pick an asset to clean first.", print_exception=False)
        progress(0.2, desc=f"Profiling {name} and proposing steps")
        return render(start_session(catalog, name).id)

    @readable
    def pick_session(label: str | None):
        return render(label.split(" · ")[0] if label else None)

    def decide(action: str):
        def run(sid: str | None, chosen: str | None):
            if not sid:
                raise gr.Error(NO_SESSION, print_exception=False)
            session = load_session(catalog, sid)
            if action == "undo":
                view = session.undo()
                return render(sid, None, f"↶ Undid {view.id}: {view.what}")
            if not chosen:
                raise gr.Error("No step is waiting for a decision.", print_exception=False)
            view = session.accept(chosen) if action == "accept" else session.reject(chosen)
            return render(sid, None, f"{'✔ Accepted' if action == 'accept' else '✖ Rejected'} {view.id}: {view.what}")
        run.__name__ = action
        return readable(run)

    @readable
    def download(sid: str | None):
        if not sid:
            raise gr.Error(NO_SESSION, print_exception=False)
        session = load_session(catalog, sid)
        return str(session.export_script(catalog.ws.dir("sessions") / "cleaning" / f"{sid}.py"))

    @readable
    def save(sid: str | None, chosen: str | None):
        if not sid:
            raise gr.Error(NO_SESSION, print_exception=False)
        done = load_session(catalog, sid).finish()
        return render(sid, chosen, f"💾 Saved **{done['asset']}** version {done['version']}.")

    outputs = [session_id, status, step, step_card, before, after, history]
    tab.select(load_lists, [asset], [asset, resume], api_name=False)
    start.click(begin, [asset], outputs, api_name="clean_start")
    resume.input(pick_session, [resume], outputs, api_name=False)
    step.input(readable(lambda sid, chosen: render(sid, chosen)), [session_id, step], outputs, api_name=False)
    accept.click(decide("accept"), [session_id, step], outputs, api_name="clean_accept")
    reject.click(decide("reject"), [session_id, step], outputs, api_name="clean_reject")
    undo.click(decide("undo"), [session_id, step], outputs, api_name="clean_undo")
    export.click(download, [session_id], [script], api_name="clean_script")
    finish.click(save, [session_id, step], outputs, api_name="clean_finish")
