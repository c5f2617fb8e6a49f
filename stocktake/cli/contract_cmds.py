"""Data-contract commands: ``contract init``, ``contract show`` and ``check`` (exit code 1 when a check fails, so it
can gate a pipeline)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from stocktake.cli.common import out, print_json, services

contract_app = typer.Typer(no_args_is_help=True, help="Data contracts: what every version of an asset must hold.")
STYLES = {"pass": "green", "fail": "red", "error": "red", "skipped": "yellow"}


@contract_app.command("init")
def init(
    ctx: typer.Context,
    asset: str = typer.Argument(..., help="The asset whose contract to write, from its profile."),
    force: bool = typer.Option(False, "--force", help="Overwrite a contract that was edited."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Write WORKSPACE/contracts/ASSET.yaml from the asset's latest version, for you to edit."""
    from stocktake.usecases.contracts import init_contract

    written = init_contract(services(ctx), asset, force=force)
    if as_json:
        print_json(written.to_dict())
        return
    out.print(f"Wrote {written.path} ({len(written.contract.columns)} columns). Edit it, then run "
              f"stocktake check {written.asset}.", highlight=False, markup=False)


@contract_app.command("show")
def show(
    ctx: typer.Context,
    asset: str = typer.Argument(..., help="The asset whose contract to show."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The asset's contract, and the result kept for each version checked."""
    from stocktake.usecases.contracts import show_contract

    shown = show_contract(services(ctx), asset)
    if as_json:
        print_json(shown.to_dict())
        return
    out.print(f"# {shown.path}", highlight=False, markup=False)
    out.print(shown.text, highlight=False, markup=False, end="")
    if shown.results:
        table = Table("version", "checked at", "result", title="Checked versions")
        for r in shown.results:
            table.add_row(str(r.version), r.checked_at, _verdict(r))
        out.print(table)


def check(
    ctx: typer.Context,
    asset: str = typer.Argument(None, help="The asset to check (default every asset with a contract)."),
    every: bool = typer.Option(False, "--all", help="List the checks that pass too."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Check the latest version of each asset against its contract; exit code 1 when any check fails."""
    from stocktake.usecases.contracts import check as run_check

    results = run_check(services(ctx), asset)
    if as_json:
        print_json({"passed": all(r.passed for r in results), "results": [r.to_dict() for r in results]})
    else:
        for r in results:
            _print(r, every)
    if not all(r.passed for r in results):
        raise typer.Exit(code=1)


def _print(result, every: bool) -> None:
    """The verdict, then a table of the checks that did not pass (every check with ``every``)."""
    title = f"{result.asset} version {result.version}: {_verdict(result)}"
    shown = [c for c in result.checks if every or c.status != "pass"]
    if not shown:
        out.print(title, highlight=False, markup=False)
        return
    table = Table("check", "result", "breaking rows", "found", title=escape(title), title_justify="left")
    for c in shown:
        rows = "" if c.breaking_rows is None else f"{c.breaking_rows:,}"
        found = escape(c.message) + "".join(f"\n  row {n}: {escape(repr(v))}" for n, v in c.examples)
        table.add_row(escape(c.name), f"[{STYLES[c.status]}]{c.status}[/]", rows, found)
    out.print(table)


def _verdict(result) -> str:
    failed = len(result.failures)
    return f"passed ({len(result.checks)} checks)" if not failed else f"{failed} of {len(result.checks)} checks failed"


def register(app: typer.Typer) -> None:
    app.add_typer(contract_app, name="contract")
    app.command()(check)
