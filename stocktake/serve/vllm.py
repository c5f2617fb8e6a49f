"""Launch vLLM's OpenAI-compatible server with tool calling on, and wait until it is healthy."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from stocktake.errors import StocktakeError

DEFAULT_MODEL = "Qwen/Qwen2.5-7B-Instruct"
# vLLM refuses tool_choice="auto" without a parser that matches the model's tool-call format.
_PARSERS = (
    (re.compile(r"qwen-?3", re.I), "hermes", ("--reasoning-parser", "qwen3")),
    (re.compile(r"qwen", re.I), "hermes", ()),
    (re.compile(r"llama-?3", re.I), "llama3_json", ()),
    (re.compile(r"mistral|mixtral", re.I), "mistral", ()),
    (re.compile(r"hermes", re.I), "hermes", ()),
)


@dataclass(frozen=True)
class ServeOptions:
    model: str = DEFAULT_MODEL
    host: str = "127.0.0.1"
    port: int = 8000
    gpu_memory_utilization: float = 0.9
    max_model_len: int | None = 16384
    tensor_parallel_size: int = 1
    tool_call_parser: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"


def tool_parser_for(model: str) -> tuple[str, tuple[str, ...]]:
    """The tool-call parser (and extra flags) for a model family; hermes where the family is unknown."""
    for pattern, parser, extra in _PARSERS:
        if pattern.search(model):
            return parser, extra
    return "hermes", ()


def vllm_command(opts: ServeOptions) -> list[str]:
    parser, extra = (opts.tool_call_parser, ()) if opts.tool_call_parser else tool_parser_for(opts.model)
    cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", opts.model,
           "--host", opts.host, "--port", str(opts.port),
           "--gpu-memory-utilization", str(opts.gpu_memory_utilization),
           "--tensor-parallel-size", str(opts.tensor_parallel_size),
           "--enable-auto-tool-choice", "--tool-call-parser", parser, *extra]
    if opts.max_model_len:
        cmd += ["--max-model-len", str(opts.max_model_len)]
    return cmd


def check_vllm_available() -> None:
    if importlib.util.find_spec("vllm") is None:
        raise StocktakeError("vLLM is not installed. On a machine with an NVIDIA GPU: pip install 'stocktake[vllm]'. "
                             "Or point STOCKTAKE_LLM_BASE_URL at any OpenAI-compatible endpoint.")
    if shutil.which("nvidia-smi") is None:
        raise StocktakeError("No NVIDIA GPU found (nvidia-smi is missing); vLLM needs one. "
                             "Use another OpenAI-compatible endpoint via STOCKTAKE_LLM_BASE_URL, or the offline mode.")


def start_vllm(opts: ServeOptions, timeout_s: float = 900, on_wait=None) -> subprocess.Popen:
    """Start the server and return once ``/health`` answers; the process keeps running."""
    check_vllm_available()
    proc = subprocess.Popen(vllm_command(opts))
    health = f"http://{opts.host}:{opts.port}/health"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StocktakeError(f"vLLM exited with code {proc.returncode} while starting; see its log above.")
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if on_wait:
            on_wait(time.monotonic() - (deadline - timeout_s))
        time.sleep(2)
    proc.terminate()
    raise StocktakeError(f"vLLM did not become healthy within {timeout_s:.0f} s; check the model name and GPU memory.")
