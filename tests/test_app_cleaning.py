"""The cleaning tab's handlers, called directly: toasts instead of error pills, labelled steps, undo that
reopens a step, discard, buttons that only work when they can, and previews that show the changed column."""

from __future__ import annotations

import gradio as gr
import pandas as pd
import pytest

from stocktake.serve.panels.cleaning import NO_ASSET, NO_SESSION, Handlers, first_part
from stocktake.serve.panels.cleaning_preview import KEPT, REMOVED, preview_frames
from stocktake.tools.clean import list_sessions, start_session
from stocktake.usecases.services import Services

SKIPPED = gr.skip()
OUT = dict(zip(["sid", "status", "step", "card", "before", "after", "history", "edited", "help", "asking",
                "question", "waiting"], range(12)))


@pytest.fixture
def handlers(catalog) -> Handlers:
    catalog.register("orders", pd.DataFrame({
        "order_id": [1, 2, 2, 3], "status": ["paid", "paid", "paid", " shipped "], "price": [10.0, -3.0, -3.0, 7.5],
    }), kind="orders", source="test", fmt="csv")
    catalog.register("products", pd.DataFrame({
        "title": ["Mug", "Lamp", "Pen"], "product_id": ["p1", "p2", "p3"], "category": ["Home", "home", "Home"],
    }), kind="products", source="test", fmt="csv")
    return Handlers(Services(catalog))


def part(result, name):
    return result[OUT[name]]


@pytest.mark.parametrize("call", [
    lambda h: h.accept(None, "s1"), lambda h: h.reject(None, "s1"), lambda h: h.undo(None), lambda h: h.redo(None),
    lambda h: h.discard(None), lambda h: h.finish(None), lambda h: h.pick(None, "s1"),
], ids=["accept", "reject", "undo", "redo", "discard", "finish", "pick"])
def test_a_button_pressed_with_no_session_is_a_toast_and_changes_no_output(handlers, call):
    with pytest.warns(UserWarning, match=NO_SESSION):
        assert call(handlers) == SKIPPED


def test_the_script_button_with_no_session_is_a_toast_too(handlers):
    with pytest.warns(UserWarning, match=NO_SESSION):
        assert handlers.script(None) == SKIPPED


def test_starting_needs_an_asset_picked_on_purpose(handlers):
    with pytest.warns(UserWarning, match=NO_ASSET):
        assert handlers.begin(None) == SKIPPED
    asset, _ = handlers.assets(None)
    assert asset.value is None and [c[1] for c in asset.choices] == ["orders", "products"]
    assert handlers.assets("products")[0].value == "products" and handlers.assets("gone")[0].value is None


def test_an_engine_refusal_is_a_toast_that_names_the_fix(handlers):
    sid = part(handlers.begin("orders"), "sid")
    with pytest.warns(UserWarning, match="Nothing to undo"):
        assert handlers.undo(sid) == SKIPPED
    with pytest.warns(UserWarning, match="Nothing to redo"):
        assert handlers.redo(sid) == SKIPPED


def test_pending_steps_are_labelled_with_what_they_do(handlers):
    started = handlers.begin("orders")
    step = part(started, "step")
    assert step.value == "s1 · drop exact duplicate rows"
    assert [label for label, _ in step.choices][:2] == ["s1 · drop exact duplicate rows",
                                                        "s2 · trim and collapse spaces in status"]
    assert "Step 1 of" in part(started, "card")


def test_undo_puts_the_step_back_among_the_pending_ones_with_its_history(handlers):
    sid = part(handlers.begin("orders"), "sid")
    accepted = handlers.accept(sid, "s1 · drop exact duplicate rows")
    assert "✔ Accepted s1 · drop exact duplicate rows" in part(accepted, "status")
    assert "s1" not in [first for first, _ in part(accepted, "step").choices]
    undone = handlers.undo(sid)
    assert "↶ Undid s1" in part(undone, "status") and "0 steps applied" in part(undone, "status")
    assert part(undone, "step").value.startswith("s1 · ")
    assert "history: accepted → undone" in part(undone, "card")
    history = part(undone, "history")
    assert history.loc[history["step"] == "s1", ["status", "decisions"]].values.tolist() == [
        ["proposed", "accepted → undone"]]


def test_undo_after_a_reject_reopens_the_step(handlers):
    sid = part(handlers.begin("orders"), "sid")
    handlers.reject(sid, "s1")
    reopened = handlers.undo(sid)
    assert part(reopened, "step").value.startswith("s1 · ") and "Undid s1" in part(reopened, "status")


def test_redo_makes_the_undone_decision_again(handlers):
    sid = part(handlers.begin("orders"), "sid")
    handlers.accept(sid, "s1 · drop exact duplicate rows")
    handlers.undo(sid)
    redone = handlers.redo(sid)
    assert "↷ Redid s1 · drop exact duplicate rows: accepted again" in part(redone, "status")
    assert "1 step applied" in part(redone, "status") and "3 rows" in part(redone, "status")
    assert "s1" not in [first_part(label) for label, _ in part(redone, "step").choices]
    history = part(redone, "history")
    assert history.loc[history["step"] == "s1", ["status", "decisions"]].values.tolist() == [
        ["accepted", "accepted → undone → accepted"]]


def enabled(buttons) -> list[bool]:
    return [b.interactive for b in buttons]  # accept, reject, undo, redo, discard, finish, download


def test_buttons_work_only_when_they_can_do_something(handlers):
    assert enabled(handlers.controls(None)) == [False] * 7
    sid = part(handlers.begin("orders"), "sid")
    assert enabled(handlers.controls(sid)) == [True, True, False, False, True, False, True]
    handlers.accept(sid, "s1")
    assert enabled(handlers.controls(sid)) == [True, True, True, False, True, True, True]


@pytest.mark.parametrize(("then", "redo"), [
    (lambda h, sid: None, True),
    (lambda h, sid: h.redo(sid), False),
    (lambda h, sid: h.reject(sid, "s2"), False),  # a new decision clears what there was to redo
], ids=["after-undo", "after-redo", "after-a-new-decision"])
def test_redo_is_usable_only_while_an_undone_decision_waits(handlers, then, redo):
    sid = part(handlers.begin("orders"), "sid")
    handlers.accept(sid, "s1")
    handlers.undo(sid)
    then(handlers, sid)
    assert enabled(handlers.controls(sid))[3] is redo


@pytest.mark.parametrize("close", [lambda h, sid: h.finish(sid), lambda h, sid: h.discard(sid)],
                         ids=["finished", "discarded"])
def test_a_closed_session_disables_every_decision(handlers, close):
    sid = part(handlers.begin("orders"), "sid")
    handlers.accept(sid, "s1")
    handlers.accept(sid, "s2")
    handlers.undo(sid)  # something to redo, until the session closes
    closed = close(handlers, sid)
    assert enabled(handlers.controls(sid)) == [False, False, False, False, False, False, True]
    assert part(closed, "step").choices == [] and "Start a new session" in part(closed, "card")


def test_discard_writes_nothing_and_says_so(handlers, catalog):
    sid = part(handlers.begin("orders"), "sid")
    handlers.accept(sid, "s1")
    discarded = handlers.discard(sid)
    assert "nothing was written, orders is unchanged" in part(discarded, "status")
    assert [v.version for v in catalog.versions("orders")] == [1]


def test_the_preview_puts_the_changed_column_first(handlers):
    started = handlers.begin("products")
    assert part(started, "step").value.startswith("s1 · unify")
    before, after = part(started, "before"), part(started, "after")
    assert before.visible and list(before.value["headers"])[:3] == ["_row", "category", "product_id"]
    assert list(after.value["headers"])[:2] == ["_row", "category"]


def test_removed_rows_are_said_to_be_removed_not_shown_as_missing(catalog, handlers):
    view = start_session(catalog, "orders").proposals()[0]
    assert view.kind == "drop_duplicates"
    before, after = preview_frames(view)
    assert after.columns.tolist()[:2] == ["_row", "result"]
    assert after["result"].tolist() == [KEPT, f"{REMOVED}, a duplicate of row 1"]
    assert not after.isna().any().any() and after["_row"].tolist() == before["_row"].tolist()


def test_no_step_waiting_hides_the_preview_tables_instead_of_showing_empty_headers(handlers):
    sid = part(handlers.begin("products"), "sid")
    done = handlers.accept(sid, "s1")
    assert part(done, "step").choices == [] and "No step is waiting" in part(done, "card")
    assert not part(done, "before").visible and not part(done, "after").visible


def test_the_tab_builds_with_its_endpoints(catalog):
    from stocktake.serve.common import AppContext
    from stocktake.serve.panels import cleaning

    with gr.Blocks() as blocks, gr.Tab("Cleaning") as tab:
        cleaning.build(AppContext(catalog, assistant=object()), tab)
    names = {fn.api_name for fn in blocks.fns.values()}
    assert {"clean_start", "clean_accept", "clean_reject", "clean_undo", "clean_redo", "clean_discard",
            "clean_finish", "clean_script"} <= names


@pytest.mark.slow
def test_through_the_server_a_refusal_is_no_error_and_discard_is_an_endpoint(catalog, handlers, tmp_path):
    """Over HTTP: an endpoint that only toasts returns normally (gradio_client raises on gr.Error)."""
    import socket

    from gradio_client import Client

    from stocktake.serve.common import AppContext
    from stocktake.serve.panels import cleaning

    with gr.Blocks() as blocks, gr.Tab("Cleaning") as tab:
        cleaning.build(AppContext(catalog, assistant=object()), tab)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    blocks.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        c = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False, download_files=str(tmp_path))
        c.predict("s1", api_name="/clean_accept")  # no session in this client's state: a toast, not an error
        status, step, *_ = c.predict("orders", api_name="/clean_start")
        assert step["value"].startswith("s1 · ")
        asked = c.predict(api_name="/clean_discard")  # discarding asks first
        assert "Discard cleaning session" in asked[-1] and not list_sessions(catalog.ws)[0]["discarded"]
        status, *_ = c.predict(api_name="/clean_confirm")
        assert "nothing was written" in status and [v.version for v in catalog.versions("orders")] == [1]
    finally:
        blocks.close()


def test_a_dedupe_preview_puts_each_kept_row_above_the_duplicates_it_replaces(catalog, handlers):
    catalog.register("visits", pd.DataFrame({"visit_id": [1, 2, 1, 3, 2, 1], "page": list("abacbd")}),
                     kind="events", source="test", fmt="csv")
    session = start_session(catalog, "visits")
    view = session.add_custom_step("dedupe_key", {"key": ["visit_id"], "keep": "first"})
    before, after = preview_frames(view)
    assert after[["_row", "result"]].values.tolist() == [
        [0, KEPT], [2, f"{REMOVED}, a duplicate of row 0"], [5, f"{REMOVED}, a duplicate of row 0"],
        [1, KEPT], [4, f"{REMOVED}, a duplicate of row 1"]]
    assert before["_row"].tolist() == after["_row"].tolist() and before["page"].tolist() == list("aadbb")


def test_preview_columns_are_as_wide_as_their_header_and_values_up_to_a_limit():
    from stocktake.serve.panels.cleaning_preview import PreviewLayout, column_widths

    layout = PreviewLayout(char_px=10, padding_px=20, widest_chars=8)
    df = pd.DataFrame({"_row": [1], "payment_method": [None], "note": ["a very long text indeed"]})
    assert column_widths(df, layout) == ["60px", "160px", "100px"]


def test_editing_a_step_in_the_tab_changes_its_preview(handlers):
    sid = part(handlers.begin("products"), "sid")
    assert part(handlers.pick(sid, "s1"), "edited") == 'column=category\nmapping={"home": "Home"}'
    edited = handlers.press("edit_step", sid, "s1", edited='mapping={"home": "House", "Home": "House"}')
    assert part(edited, "step").value == "s1 · unify 2 spellings in category onto 1 values"
    assert set(part(edited, "after").value["data"][i][1] for i in range(3)) == {"House"}


@pytest.mark.parametrize("edited, cli", [
    ("action=clip", ["-p", "action=clip"]),
    ("colour=red", ["-p", "colour=red"]),
    ("column=nope", ["-p", "column=nope"]),
    ("min", ["-p", "min"]),
], ids=["not-a-choice", "unknown-parameter", "unknown-column", "not-key-value"])
def test_bad_parameters_get_the_command_lines_message_in_one_line(handlers, catalog, edited, cli):
    from typer.testing import CliRunner

    from stocktake.cli.main import app

    sid = part(handlers.begin("orders"), "sid")
    step = next(v.id for v in start_session(catalog, "orders").proposals() if v.kind == "out_of_range")
    with pytest.warns(UserWarning) as toasts:
        assert handlers.press("edit_step", sid, step, edited=edited) == SKIPPED
    result = CliRunner().invoke(app, ["--workspace", str(catalog.ws.root), "clean", "edit", sid, step, *cli])
    message = result.stderr.strip().removeprefix("Error: ")
    assert result.exit_code == 1 and len(message.splitlines()) == 1
    expected = message.replace("--param ", "")  # the box takes name=value lines, without the option
    assert [str(t.message) for t in toasts] == [expected] and "Traceback" not in expected


def test_adding_a_step_in_the_tab_shows_it_with_its_preview(handlers):
    sid = part(handlers.begin("orders"), "sid")
    added = handlers.press("add_step", sid, kind="drop_rows", added="where=price < 0 and status == 'paid'")
    assert part(added, "step").value == 's4 · drop rows where price < 0 and status = "paid"'
    assert "**2 rows affected**, 2 removed" in part(added, "card")
    with pytest.warns(UserWarning, match="Pick the kind of step to add."):
        handlers.press("add_step", sid, kind=None, added="")
