"""``stocktake llm serve|check``: run a local vLLM server, or check the configured endpoint."""

from __future__ import annotations

import typer

from stocktake.cli.common import err, print_json

llm_app = typer.Typer(help="The language model behind the assistant (vLLM or any OpenAI-compatible endpoint).",
                      no_args_is_help=True)


@llm_app.command()
def serve(
    model: str = typer.Option("Qwen/Qwen2.5-7B-Instruct", "--model", help="Hugging Face id or local path."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    gpu_memory_utilization: float = typer.Option(0.9, "--gpu-memory-utilization"),
    max_model_len: int = typer.Option(16384, "--max-model-len"),
    tensor_parallel_size: int = typer.Option(1, "--tensor-parallel-size"),
    tool_call_parser: str = typer.Option(None, "--tool-call-parser", help="Override the parser picked for the model."),
) -> None:
    """Start vLLM's OpenAI-compatible server with tool calling on; Ctrl-C stops it."""
    from stocktake.serve.vllm import ServeOptions, start_vllm

    opts = ServeOptions(model, host, port, gpu_memory_utilization, max_model_len, tensor_parallel_size, tool_call_parser)
    with err.status(f"Starting vLLM with {model} (loading weights can take minutes)…") as status:
        proc = start_vllm(opts, on_wait=lambda s: status.update(f"Starting vLLM with {model}… {s:.0f} s"))
    err.print(f"[green]vLLM is serving {model} at {opts.base_url}[/]\n"
              f"Use it: export STOCKTAKE_LLM_BASE_URL={opts.base_url} STOCKTAKE_LLM_MODEL={model}", highlight=False)
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()


@llm_app.command()
def check(as_json: bool = typer.Option(False, "--json")) -> None:
    """Say whether the configured endpoint answers and handles a tool call."""
    from stocktake.agent.llm import check_tool_calling, probe_endpoint
    from stocktake.settings import LLMSettings

    settings = LLMSettings()
    status = probe_endpoint(settings)
    tools_ok, detail = check_tool_calling(settings) if status.reachable else (False, "endpoint not reachable")
    if as_json:
        print_json({"base_url": settings.base_url, "reachable": status.reachable, "models": list(status.models),
                    "tool_calling": tools_ok, "detail": detail if status.reachable else status.detail})
    else:
        mark = "[green]✓[/]" if status.reachable else "[red]✗[/]"
        err.print(f"{mark} endpoint {status.detail}", highlight=False)
        if status.reachable:
            err.print(f"{'[green]✓[/]' if tools_ok else '[red]✗[/]'} {detail}", highlight=False)
        else:
            err.print("The assistant will run in offline mode. Start a server with `stocktake llm serve`.")
    if not (status.reachable and tools_ok):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(llm_app, name="llm")
