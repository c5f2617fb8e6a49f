"""The cleaning tab's before and after tables: a step's sampled rows side by side, a removed row said to be removed,
each kept duplicate above the rows it replaces, columns as wide as their contents."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd

REMOVED = "row removed"
KEPT = "kept"


def preview_frames(view) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The sampled rows before and after the step, the changed columns first; a removed row says so in a
    ``result`` column instead of showing empty values, and removed duplicates come right under the row kept in
    their place (marked kept), in both tables. None when there is nothing to preview."""
    if view is None or view.preview is None or not view.preview.before:
        return None
    p = view.preview
    if not p.kept and all(a is not None for a in p.after):
        return pd.DataFrame(p.before), pd.DataFrame(p.after)
    columns = next((list(r) for r in (*p.after, *p.kept) if r is not None), ["_row"])
    blank = {c: "" for c in columns if c != "_row"}
    groups: dict[int, list[tuple]] = {}  # the kept row (or the row itself) -> its sampled rows, in sample order
    for b, a, k in zip(p.before, p.after, p.kept or [None] * len(p.before)):
        groups.setdefault(k["_row"] if k else b["_row"], []).append((b, a, k))
    before, after = [], []
    for members in groups.values():
        kept = members[0][2]
        if kept is not None:
            before.append(kept)
            after.append({"_row": kept["_row"], "result": KEPT, **kept})
        for b, a, k in members:
            before.append(b)
            removed = f"{REMOVED}, a duplicate of row {k['_row']}" if k else REMOVED
            after.append({"_row": a["_row"], "result": "changed", **a} if a is not None
                         else {"_row": b["_row"], "result": removed, **blank})
    return pd.DataFrame(before), pd.DataFrame(after, columns=["_row", "result", *columns[1:]])


@dataclass(frozen=True)
class PreviewLayout:
    char_px: int = 9  # about one character of the table's monospace font
    padding_px: int = 28  # a cell's padding and its sort icon
    widest_chars: int = 32  # a longer value wraps within this width instead of widening its column


def column_widths(df: pd.DataFrame, layout: PreviewLayout = PreviewLayout()) -> list[str]:
    """Each column as wide as its header and (up to a limit) its values: left to itself, the table squeezes a
    column to a letter and breaks its header letter by letter. A wider table scrolls sideways."""
    def chars(column) -> int:
        values = max((len(str(v)) for v in df[column]), default=0)
        return max(len(str(column)), min(values, layout.widest_chars))

    return [f"{chars(c) * layout.char_px + layout.padding_px}px" for c in df.columns]


def preview_updates(view) -> tuple[gr.DataFrame, gr.DataFrame]:
    """Hidden tables when there is nothing to preview: an empty table would show the headers "1 2 3"."""
    frames = preview_frames(view)
    if frames is None:
        return gr.DataFrame(visible=False), gr.DataFrame(visible=False)
    return tuple(gr.DataFrame(f, visible=True, column_widths=column_widths(f)) for f in frames)
