"""The vLLM launcher: the right tool-call parser per model family, and clear errors without vLLM or a GPU."""

from __future__ import annotations

import pytest

from stocktake.errors import StocktakeError
from stocktake.serve import vllm
from stocktake.serve.vllm import ServeOptions, tool_parser_for, vllm_command

PARSERS = [
    ("Qwen/Qwen2.5-7B-Instruct", "hermes", ()),
    ("Qwen/Qwen3-8B", "hermes", ("--reasoning-parser", "qwen3")),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama3_json", ()),
    ("/models/llama3-70b", "llama3_json", ()),
    ("mistralai/Mistral-7B-Instruct-v0.3", "mistral", ()),
    ("some/unknown-model", "hermes", ()),
]


@pytest.mark.parametrize("model, parser, extra", PARSERS, ids=[p[0] for p in PARSERS])
def test_tool_call_parser_matches_the_model_family(model, parser, extra):
    assert tool_parser_for(model) == (parser, extra)


def test_command_turns_tool_calling_on_with_the_given_options():
    cmd = vllm_command(ServeOptions(model="Qwen/Qwen2.5-7B-Instruct", port=8123, gpu_memory_utilization=0.5,
                                    max_model_len=8192, tensor_parallel_size=2))
    joined = " ".join(cmd)
    for part in ("--enable-auto-tool-choice", "--tool-call-parser hermes", "--port 8123",
                 "--gpu-memory-utilization 0.5", "--max-model-len 8192", "--tensor-parallel-size 2"):
        assert part in joined


def test_missing_vllm_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(vllm.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(StocktakeError, match=r"pip install 'stocktake\[vllm\]'"):
        vllm.check_vllm_available()


def test_missing_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(vllm.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(vllm.shutil, "which", lambda name: None)
    with pytest.raises(StocktakeError, match="No NVIDIA GPU"):
        vllm.check_vllm_available()
