"""How long masking takes on hostile text: the patterns the guard had before (quadratic on long tokens) against
stocktake.tools.profile.pii (bounded, linear), and what a chat answer with such values costs end to end.

    python bench/mask_bench.py            # prints one line per input
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stocktake.tools.profile import MaskSettings, mask_text  # noqa: E402

# The guard's patterns before issue 13, kept here only as the baseline.
OLD_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
OLD_PHONE = re.compile(r"(?<![\w])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?(?![\w])")


def old_mask(text: str) -> str:
    text = OLD_EMAIL.sub("e", text)
    return OLD_PHONE.sub("p", text)


INPUTS = {"80 KB of letters": "a" * 80_000, "150 KB value": ("word" * 5 + ".") * 7_150,
          "1 MB of 'a.'": "a." * 500_000, "1 MB of digits and spaces": "1 " * 500_000}


def timed(fn, text: str, limit_s: float = 30.0) -> str:
    started = time.perf_counter()
    fn(text)
    seconds = time.perf_counter() - started
    return f"{seconds:8.3f} s" if seconds < limit_s else f">{limit_s:.0f} s"


def answer_with_long_values() -> float:
    """A two-row SQL answer whose text cells hold 150 KB each, through run_sql's engine path."""
    import pandas as pd

    from stocktake.catalog import Catalog, Workspace
    from stocktake.tools.profile import select_masked

    with tempfile.TemporaryDirectory() as root:
        catalog = Catalog(Workspace(Path(root) / "ws"))
        catalog.register("notes", pd.DataFrame({"id": [1, 2], "note": [INPUTS["150 KB value"]] * 2}),
                         kind="other", source="bench", fmt="csv")
        started = time.perf_counter()
        select_masked(catalog, "SELECT * FROM notes")
        return time.perf_counter() - started


def main() -> None:
    for name, text in INPUTS.items():
        skip_old = len(text) > 200_000  # quadratic: minutes
        before = "(skipped: minutes)" if skip_old else timed(old_mask, text)
        after = timed(lambda t: mask_text(t, MaskSettings(max_chars=len(t))), text)
        print(f"{name:28s} before {before:>20s}   after {after}")
    print(f"two-row SQL answer, 150 KB cells: {answer_with_long_values():.3f} s (values cut to 2,000 chars in DuckDB)")


if __name__ == "__main__":
    main()
