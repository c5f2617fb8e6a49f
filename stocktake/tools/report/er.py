"""The entity-relationship diagram of the assets: Mermaid text for Markdown, a self-drawn SVG for HTML.

The SVG is laid out here rather than by graphviz so the report needs no binary and no network: tables that
reference nothing sit in the left column, and every table sits one column right of the tables it references,
so foreign-key lines run right to left, from the referencing column to the referenced key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from stocktake.tools.profile import share_text


@dataclass(frozen=True)
class ErColumn:
    name: str
    type: str
    key: str = ""  # "PK", "FK", "PK, FK" or ""


@dataclass(frozen=True)
class Entity:
    name: str
    columns: tuple[ErColumn, ...]
    hidden_columns: int = 0  # columns left out to keep the box readable


@dataclass(frozen=True)
class Relationship:
    """``from_asset.from_column`` references ``to_asset.to_column`` (a foreign key)."""

    from_asset: str
    from_column: str
    to_asset: str
    to_column: str
    coverage: float  # share of non-null foreign-key values that match a key
    cardinality: str  # "many-to-one", "one-to-one", ...


@dataclass(frozen=True)
class SvgStyle:
    font_px: int = 12
    char_px: float = 7.3  # advance of one monospace character at font_px
    header_px: int = 26
    row_px: int = 19
    pad_px: int = 10
    column_gap_px: int = 150
    box_gap_px: int = 28
    margin_px: int = 20


PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#4d7c0f")


# ---- Mermaid ----------------------------------------------------------------------------------------
# Mermaid's default spacing (140 between tables, 80 between ranks) leaves the labels of two lines that meet
# one table on top of each other, or under a table; wider ranks give each label a place of its own.
MERMAID_SPACING = '    %%{init: {"er": {"nodeSpacing": 160, "rankSpacing": 140}}}%%'
def render_mermaid(entities: Sequence[Entity], relations: Sequence[Relationship]) -> str:
    """An ``erDiagram`` block body (without the Markdown fence)."""
    lines = ["erDiagram", MERMAID_SPACING]
    for e in entities:
        lines.append(f"    {_mermaid_name(e.name)} {{")
        for c in e.columns:
            key = f" {c.key}" if c.key else ""
            lines.append(f"        {_mermaid_name(c.type)} {_mermaid_name(c.name)}{key}")
        lines.append("    }")
    for r in relations:
        left = "|o" if _side(r.cardinality, 0) == "one" else "}o"
        right = "||" if _side(r.cardinality, 1) == "one" else "}|"
        label = f"{r.from_column} ({share_text(r.coverage)} match)".replace('"', "'")
        lines.append(f'    {_mermaid_name(r.from_asset)} {left}--{right} {_mermaid_name(r.to_asset)} : "{label}"')
    return "\n".join(lines)


def _mermaid_name(name: str) -> str:
    # Mermaid identifiers allow letters, digits, '_' and '-' only, and no leading digit.
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", name) or "_"
    return f"_{clean}" if clean[0].isdigit() else clean


def _side(cardinality: str, index: int) -> str:
    parts = cardinality.split("-to-")
    return parts[index] if len(parts) == 2 else "many" if index == 0 else "one"


# ---- SVG --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Box:
    entity: Entity
    level: int
    x: float
    y: float
    width: float

    def row_y(self, column: str, style: SvgStyle) -> float:
        names = [c.name for c in self.entity.columns]
        if column not in names:
            return self.y + style.header_px / 2
        return self.y + style.header_px + (names.index(column) + 0.5) * style.row_px

    def height(self, style: SvgStyle) -> float:
        rows = len(self.entity.columns) + (1 if self.entity.hidden_columns else 0)
        return style.header_px + rows * style.row_px + 4

    def bottom(self, style: SvgStyle) -> float:
        return self.y + self.height(style)


def render_svg(entities: Sequence[Entity], relations: Sequence[Relationship], style: SvgStyle = SvgStyle()) -> str:
    """An inline ``<svg>`` element (no namespace URL, no external references) drawing the diagram."""
    if not entities:
        return ""
    boxes = _layout(entities, relations, style)
    width = max(b.x + b.width for b in boxes.values()) + style.margin_px
    height = max(b.bottom(style) for b in boxes.values()) + style.margin_px
    parts = [
        f'<svg class="er-diagram" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="Entity-relationship diagram of {len(entities)} assets" '
        f'font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="{style.font_px}">'
    ]
    parts += [_draw_box(b, style) for b in boxes.values()]
    linked = [r for r in relations if r.from_asset in boxes and r.to_asset in boxes]
    parts += [_draw_edge(r, boxes, i, style) for i, r in enumerate(linked)]
    parts.append("</svg>")
    return "\n".join(parts)


def _levels(names: list[str], relations: Sequence[Relationship]) -> dict[str, int]:
    """Column of each entity: one more than the deepest entity it references (cycles are capped)."""
    level = dict.fromkeys(names, 0)
    edges = [(r.from_asset, r.to_asset) for r in relations
             if r.from_asset in level and r.to_asset in level and r.from_asset != r.to_asset]
    for _ in range(len(names)):
        changed = False
        for child, parent in edges:
            wanted = min(level[parent] + 1, len(names) - 1)
            if wanted > level[child]:
                level[child], changed = wanted, True
        if not changed:
            break
    return level


def _layout(entities: Sequence[Entity], relations: Sequence[Relationship], style: SvgStyle,
            sweeps: int = 4) -> dict[str, _Box]:
    by_name = {e.name: e for e in entities}
    level = _levels(list(by_name), relations)
    neighbours = {n: set() for n in by_name}
    for r in relations:
        if r.from_asset in by_name and r.to_asset in by_name and r.from_asset != r.to_asset:
            neighbours[r.from_asset].add(r.to_asset)
            neighbours[r.to_asset].add(r.from_asset)
    columns = [sorted(n for n in by_name if level[n] == col) for col in range(max(level.values()) + 1)]
    widths = [max(_box_width(by_name[n], style) for n in names) for names in columns]
    xs = [style.margin_px + sum(widths[:i]) + i * style.column_gap_px for i in range(len(columns))]
    boxes: dict[str, _Box] = {}

    def stack(col: int) -> None:
        y = float(style.margin_px)
        for n in columns[col]:
            boxes[n] = _Box(by_name[n], col, xs[col], y, widths[col])
            y = boxes[n].bottom(style) + style.box_gap_px

    for col in range(len(columns)):
        stack(col)
    # A few barycentre sweeps (as in Sugiyama layouts): each table moves towards the tables it is linked
    # to, which keeps lines short and uncrossed; tables with no links sink to the bottom.
    for sweep in range(sweeps):
        order = range(len(columns)) if sweep % 2 else reversed(range(len(columns)))
        for col in order:
            columns[col].sort(key=lambda n: (not neighbours[n], _mean(
                [boxes[m].y + boxes[m].height(style) / 2 for m in neighbours[n]]), n))
            stack(col)
    return boxes


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else -1.0


def _box_width(e: Entity, style: SvgStyle) -> float:
    widest = max([len(e.name) + 2] + [len(c.name) + len(c.type) + len(c.key) + 4 for c in e.columns])
    return widest * style.char_px + 2 * style.pad_px


def _draw_box(b: _Box, style: SvgStyle) -> str:
    e, h = b.entity, b.height(style)
    out = [
        f'<g class="entity"><rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.width:.1f}" height="{h:.1f}" rx="6" '
        f'fill="#ffffff" stroke="#94a3b8"/>',
        f'<path d="M{b.x:.1f},{b.y + style.header_px:.1f} v-{style.header_px - 6} a6,6 0 0 1 6,-6 '
        f'h{b.width - 12:.1f} a6,6 0 0 1 6,6 v{style.header_px - 6}z" fill="#1e293b"/>',
        f'<text x="{b.x + style.pad_px:.1f}" y="{b.y + style.header_px * 0.68:.1f}" fill="#ffffff" '
        f'font-weight="bold">{escape(e.name)}</text>',
    ]
    for i, c in enumerate(e.columns):
        y = b.y + style.header_px + (i + 0.72) * style.row_px
        weight = ' font-weight="bold"' if "PK" in c.key else ""
        colour = "#1d4ed8" if "FK" in c.key else "#0f172a"
        key = f'<tspan fill="#b45309">{escape(c.key)} </tspan>' if c.key else ""
        out.append(f'<text x="{b.x + style.pad_px:.1f}" y="{y:.1f}" fill="{colour}"{weight}>'
                   f'{key}{escape(c.name)}</text>')
        out.append(f'<text x="{b.x + b.width - style.pad_px:.1f}" y="{y:.1f}" fill="#64748b" '
                   f'text-anchor="end">{escape(c.type)}</text>')
    if e.hidden_columns:
        y = b.y + style.header_px + (len(e.columns) + 0.72) * style.row_px
        out.append(f'<text x="{b.x + style.pad_px:.1f}" y="{y:.1f}" fill="#64748b" font-style="italic">'
                   f'… {e.hidden_columns} more columns</text>')
    out.append("</g>")
    return "\n".join(out)


def _draw_edge(r: Relationship, boxes: dict[str, _Box], index: int, style: SvgStyle) -> str:
    child, parent = boxes[r.from_asset], boxes[r.to_asset]
    colour = PALETTE[index % len(PALETTE)]
    y1, y2 = child.row_y(r.from_column, style), parent.row_y(r.to_column, style)
    if child.level > parent.level:
        x1, x2 = child.x, parent.x + parent.width
        points = [(x1, y1)] + _detour(child, parent, boxes, (x1, y1), (x2, y2), index, style) + [(x2, y2)]
        path = f"M{x1:.1f},{y1:.1f}"
        for i, ((ax, ay), (bx, by)) in enumerate(zip(points, points[1:])):
            if i % 2:  # straight through a gap between the boxes of a column in the way
                path += f" L{bx:.1f},{by:.1f}"
            else:  # an S-curve across the space between two columns
                bend = (ax - bx) / 2
                path += f" C{ax - bend:.1f},{ay:.1f} {bx + bend:.1f},{by:.1f} {bx:.1f},{by:.1f}"
        child_label = (x1 - 6, "end")
    else:  # same column (or a self reference): loop out to the right
        x1, x2 = child.x + child.width, parent.x + parent.width
        bend = max(x1, x2) + style.column_gap_px / 2
        path = f"M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        child_label = (x1 + 6, "start")
    label = (f"{r.from_asset}.{r.from_column} → {r.to_asset}.{r.to_column} "
             f"({r.cardinality}, {share_text(r.coverage)} of values match)")
    return (
        f'<g class="relation"><title>{escape(label)}</title>'
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.8" opacity="0.9"/>'
        f'<circle cx="{x2:.1f}" cy="{y2:.1f}" r="3.5" fill="{colour}"/>'
        f'<text x="{child_label[0]:.1f}" y="{y1 - 4:.1f}" fill="{colour}" font-size="{style.font_px - 1}" '
        f'text-anchor="{child_label[1]}">{"1" if _side(r.cardinality, 0) == "one" else "N"}</text>'
        f'<text x="{x2 + 6:.1f}" y="{y2 - 4:.1f}" fill="{colour}" font-size="{style.font_px - 1}">'
        f'{"1" if _side(r.cardinality, 1) == "one" else "N"}</text></g>'
    )


def _detour(child: _Box, parent: _Box, boxes: dict[str, _Box], start: tuple[float, float],
            end: tuple[float, float], index: int, style: SvgStyle) -> list[tuple[float, float]]:
    """Where a line crosses the columns between its two tables: through the free gap nearest its course."""
    points = []
    for level in range(child.level - 1, parent.level, -1):
        column = sorted((b for b in boxes.values() if b.level == level), key=lambda b: b.y)
        x_left, x_right = column[0].x, column[0].x + column[0].width
        share = (start[0] - (x_left + x_right) / 2) / (start[0] - end[0])
        wanted = start[1] + share * (end[1] - start[1])
        gaps = ([column[0].y - style.box_gap_px / 2]
                + [(a.bottom(style) + b.y) / 2 for a, b in zip(column, column[1:])]
                + [column[-1].bottom(style) + style.box_gap_px / 2])
        y = min(gaps, key=lambda g: abs(g - wanted)) + (index % 3 - 1) * 4  # lines sharing a gap stay apart
        points += [(x_right, y), (x_left, y)]
    return points
