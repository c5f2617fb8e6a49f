"""The tools as the model sees them are pinned: a changed name, argument or description is a deliberate change.

The pin lives in tests/pinned/tool_schemas.json. When a change is meant, write it again with
``python -m tests.test_tool_schemas`` and review the diff like any other change of the model's prompt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stocktake.agent.tools import all_tools, build_tools, confirm_required
from stocktake.agent.context import ToolContext
from stocktake.catalog import Catalog
from tests.agent_fakes import scripted

PIN = Path(__file__).parent / "pinned" / "tool_schemas.json"


def schemas() -> dict:
    """Each tool's name, arguments (JSON schema) and description as LangChain hands them to the model, and
    whether it needs confirmation."""
    out = {}
    for tool in all_tools():
        made = tool.langchain()
        out[made.name] = {"description": made.description,
                          "arguments": made.tool_call_schema.model_json_schema(),
                          "needs_confirmation": bool(made.metadata["needs_confirmation"])}
    return out


def test_every_tool_schema_is_the_pinned_one():
    pinned = json.loads(PIN.read_text())
    now = schemas()
    assert sorted(now) == sorted(pinned)
    for name in now:
        assert now[name] == pinned[name], f"{name} changed: rewrite the pin with python -m tests.test_tool_schemas"


def test_the_tools_that_ask_first_are_the_pinned_ones():
    pinned = {name for name, s in json.loads(PIN.read_text()).items() if s["needs_confirmation"]}
    assert set(confirm_required(all_tools())) == pinned
    assert {"finish_cleaning", "discard_cleaning", "train_recommenders", "describe_asset_purpose"} <= pinned
    assert not pinned & {"list_assets", "run_sql", "query_data", "next_cleaning_step", "apply_cleaning_step"}


def test_no_tool_shows_the_model_its_injected_runtime():
    for name, schema in schemas().items():
        assert not {"runtime", "config", "ctx"} & set(schema["arguments"].get("properties", {})), name


@pytest.fixture
def ctx(catalog: Catalog) -> ToolContext:
    catalog.register("orders", pd.DataFrame({"order_id": [1, 2], "status": ["paid", "late"]}), kind="orders",
                     source="memory", fmt="csv")
    return ToolContext(catalog)


def test_a_tool_error_reaches_the_model_as_an_error_tool_message(ctx):
    from stocktake.agent.assistant import Assistant

    llm = scripted(("describe_asset", {"asset": "ordrs"}), "Sorry.")
    Assistant(ctx, llm).ask("describe ordrs", "t1")
    message = next(m for m in llm.seen[-1] if m.type == "tool")
    assert message.status == "error"
    assert message.content.startswith("Error: No asset named 'ordrs'") and "orders" in message.content


def test_a_direct_call_gets_the_same_error_with_the_message_alone_in_its_artifact(ctx):
    tool = next(t for t in build_tools(ctx) if t.name == "describe_asset")
    result = tool.run({"asset": "ordrs"})
    assert result.status == "error" and result.content == f"Error: {result.artifact['error']}"
    assert result.artifact["error"].startswith("No asset named 'ordrs'")


def test_the_agent_runs_a_module_level_tool_in_the_context_it_was_given(ctx):
    from stocktake.agent.assistant import Assistant

    llm = scripted(("list_assets", {}), "Done.")
    Assistant(ctx, llm).ask("what is there?", "t1")
    message = next(m for m in llm.seen[-1] if m.type == "tool")
    assert message.status == "success" and "orders" in message.content


if __name__ == "__main__":
    PIN.write_text(json.dumps(schemas(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {PIN}")
