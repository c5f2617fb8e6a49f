"""LLM backends: any OpenAI-compatible chat endpoint (vLLM by default), and checks that it answers."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from stocktake.settings import LLMSettings


@dataclass(frozen=True)
class EndpointStatus:
    reachable: bool
    models: tuple[str, ...]
    detail: str


def probe_endpoint(settings: LLMSettings, timeout_s: float = 2.0) -> EndpointStatus:
    """Whether ``GET {base_url}/models`` answers, and which models it serves."""
    url = settings.base_url.rstrip("/") + "/models"
    try:
        resp = httpx.get(url, timeout=timeout_s, headers={"Authorization": f"Bearer {settings.api_key}"})
        resp.raise_for_status()
        models = tuple(m.get("id", "?") for m in resp.json().get("data", []))
    except (httpx.HTTPError, ValueError) as exc:
        return EndpointStatus(False, (), f"{url}: {type(exc).__name__}: {str(exc)[:120]}")
    return EndpointStatus(True, models, f"{url}: serving {', '.join(models) or 'no models'}")


def make_chat_model(settings: LLMSettings, model: str | None = None):
    """A LangChain chat model for the endpoint; ``model`` defaults to the settings (or what it serves)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=model or settings.model, base_url=settings.base_url, api_key=settings.api_key,
                      timeout=settings.timeout_s, max_retries=0, temperature=0, streaming=True)


def connect_llm(settings: LLMSettings):
    """The chat model when the endpoint answers, else None (the caller then goes offline)."""
    status = probe_endpoint(settings)
    if not status.reachable:
        return None, status
    model = settings.model if settings.model in status.models or not status.models else status.models[0]
    return make_chat_model(settings, model), status


def check_tool_calling(settings: LLMSettings) -> tuple[bool, str]:
    """Ask the endpoint for one tool call; vLLM without --enable-auto-tool-choice answers HTTP 400."""
    from langchain_core.tools import tool

    @tool
    def count_rows(asset: str) -> int:
        """Count the rows of an asset.

        Args:
            asset: asset name
        """
        return 0

    llm, status = connect_llm(settings)
    if llm is None:
        return False, status.detail
    try:
        reply = llm.bind_tools([count_rows]).invoke("How many rows does the orders asset have? Use the tool.")
    except Exception as exc:  # the client raises many kinds; all mean "no working tool calls"
        return False, f"tool call failed: {type(exc).__name__}: {str(exc)[:200]}"
    calls = getattr(reply, "tool_calls", [])
    if not calls:
        return False, "the model answered without calling the tool (is tool calling enabled on the server?)"
    return True, f"tool call ok: {calls[0]['name']}({calls[0]['args']})"
