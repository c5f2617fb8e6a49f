"""Export a cleaning session as a standalone pandas script.

The script reads the asset's source file when reading it with plain ``pandas.read_csv`` gives exactly the
session's base table (same values, same types); otherwise, as for a typed ingest (dates parsed, codes kept
as text) or a base that is itself a cleaned version, it reads the base version's Parquet snapshot, which
never changes. Either way it checks the input's SHA-256 first, then makes the same pandas calls the session's
steps made (each step writes its own as code; a drop_rows condition as its compiled mask, never as text to
evaluate). A ``drop_orphans`` step also reads its parent's pinned Parquet snapshot.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stocktake.catalog import Catalog, file_hash, now_iso
from stocktake.errors import Remedy, StocktakeError
from stocktake.tools.clean.steps import get_step


@dataclass(frozen=True)
class Recipe:
    """What a script reproduces: a session's applied steps (id, kind, parameters) over its asset's base version."""
    session: str
    asset: str
    version: int
    steps: tuple[tuple[str, str, dict], ...]

_TEMPLATE = '''\
#!/usr/bin/env python
"""Cleaning session {session} on asset '{asset}' (version {version}), exported by Stocktake on {stamp}.

Input: {input_path}
  ({input_why})
Usage: python {script} [OUTPUT.parquet | OUTPUT.csv]   (default: {default_out})
"""

import hashlib
import re
import sys

import numpy as np
import pandas as pd

INPUT = {input_path!r}
INPUT_SHA256 = {digest!r}


def load():
    with open(INPUT, "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != INPUT_SHA256:
            print(f"warning: {{INPUT}} changed since the session; the result may differ", file=sys.stderr)
    return {reader}


def clean(df):
{body}
    return df


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else {default_out!r}
    result = clean(load()).reset_index(drop=True)
    if out.endswith(".csv"):
        result.to_csv(out, index=False)
    else:
        result.to_parquet(out, index=False)
    print(f"wrote {{len(result)}} rows to {{out}}", file=sys.stderr)
'''


def write_script(catalog: Catalog, recipe: Recipe, path: Path) -> Path:
    """Write the script for ``recipe`` to ``path``."""
    if path.suffix != ".py":
        raise StocktakeError(f"Export to a .py file (got '{path}'),", Remedy("script-name", asset=recipe.asset),
                             file=str(path))
    input_path, reader, why = choose_input(catalog, recipe.asset, recipe.version)
    blocks = []
    for sid, kind, params in recipe.steps:
        step = get_step(kind)
        blocks.append(f"# {sid}: {step.describe(step.validate(params))}\n{step.code(params)}")
    body = textwrap.indent("\n\n".join(blocks) or "pass", "    ")
    text = _TEMPLATE.format(
        session=recipe.session, asset=recipe.asset, version=recipe.version, stamp=now_iso(),
        input_path=str(input_path), input_why=why, script=path.name, default_out=f"{recipe.asset}_clean.parquet",
        digest=file_hash(input_path), reader=reader, body=body,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def choose_input(catalog: Catalog, asset: str, version: int) -> tuple[Path, str, str]:
    """(file to read, the expression that reads it, why that file) for that version of the asset."""
    meta = catalog.get(asset, version)
    source = Path(meta.source).expanduser().resolve()
    if meta.version == 1 and source.suffix.lower() == ".csv" and source.is_file():
        try:
            read = pd.read_csv(source)
            pd.testing.assert_frame_equal(read, catalog.load(asset, meta.version))
            return source, "pd.read_csv(INPUT)", "the asset's source file: pandas reads it as the base table"
        except (AssertionError, ValueError, pd.errors.ParserError):
            pass
    return meta.path, "pd.read_parquet(INPUT)", (
        f"the Parquet snapshot of version {meta.version}: reading {source.name} with plain pandas does not give "
        "the same typed table")
