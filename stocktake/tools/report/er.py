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
    margin_px: int = 16


PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#4d7c0f")


# ---- Mermaid ----------------------------------------------------------------------------------------
def render_mermaid(entities: Sequence[Entity], relations: Sequence[Relationship]) -> str:
    """An ``erDiagram`` block body (without the Markdown fence)."""
    lines = ["erDiagram"]
    for e in entities:
        lines.append(f"    {_mermaid_name(e.name)} {{")
        for c in e.columns:
            key = f" {c.key}" if c.key else ""
            lines.append(f"        {_mermaid_name(c.type)} {_mermaid_name(c.name)}{key}")
        lines.append("    }")
    for r in relations:
        left = "|o" if _side(r.cardinality, 0) == "one" else "}o"
        right = "||" if _side(r.cardinality, 1) == "one" else "}|"
        label = f"{r.from_column} ({r.coverage:.0%} match)".replace('"', "'")
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
    x: float
    y: float
    width: float

    def row_y(self, column: str, style: SvgStyle) -> float:
        names = [c.name for c in self.entity.columns]
        index = names.index(column) if column in names else -1
        if index < 0:
            return self.y + style.header_px / 2
        return self.y + style.header_px + (index + 0.5) * style.row_px

    def height(self, style: SvgStyle) -> float:
        rows = len(self.entity.columns) + (1 if self.entity.hidden_columns else 0)
        return style.header_px + rows * style.row_px + 4


def render_svg(entities: Sequence[Entity], relations: Sequence[Relationship], style: SvgStyle = SvgStyle()) -> str:
    """An inline ``<svg>`` element (no namespace URL, no external references) drawing the diagram."""
    if not entities:
        return ""
    boxes = _layout(entities, relations, style)
    width = max(b.x + b.width for b in boxes.values()) + style.margin_px
    height = max(b.y + b.height(style) for b in boxes.values()) + style.margin_px
    parts = [
        f'<svg class="er" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="Entity-relationship diagram of {len(entities)} assets" '
        f'font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="{style.font_px}">'
    ]
    parts += [_draw_box(b, style) for b in boxes.values()]
    linked = [r for r in relations if r.from_asset in boxes and r.to_asset in boxes]
    parts += [_draw_edge(r, boxes, PALETTE[i % len(PALETTE)], style) for i, r in enumerate(linked)]
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


def _layout(entities: Sequence[Entity], relations: Sequence[Relationship], style: SvgStyle) -> dict[str, _Box]:
    by_name = {e.name: e for e in entities}
    level = _levels(list(by_name), relations)
    parents = {n: [r.to_asset for r in relations if r.from_asset == n and r.to_asset in by_name] for n in by_name}
    boxes: dict[str, _Box] = {}
    x = float(style.margin_px)
    for col in range(max(level.values()) + 1):
        members = [n for n in by_name if level[n] == col]
        # Ordering a column by where its referenced tables sit keeps lines from crossing needlessly.
        members.sort(key=lambda n: (_mean([boxes[p].y for p in parents[n] if p in boxes]), n))
        col_width = max(_box_width(by_name[n], style) for n in members) if members else 0
        y = float(style.margin_px)
        for n in members:
            boxes[n] = _Box(by_name[n], x, y, col_width)
            y += boxes[n].height(style) + style.box_gap_px
        x += col_width + style.column_gap_px
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
        out.append(f'<text x="{b.x + style.pad_px:.1f}" y="{y:.1f}" fill="{colour}"{weight}>{key}{escape(c.name)}</text>')
        out.append(f'<text x="{b.x + b.width - style.pad_px:.1f}" y="{y:.1f}" fill="#64748b" '
                   f'text-anchor="end">{escape(c.type)}</text>')
    if e.hidden_columns:
        y = b.y + style.header_px + (len(e.columns) + 0.72) * style.row_px
        out.append(f'<text x="{b.x + style.pad_px:.1f}" y="{y:.1f}" fill="#64748b" font-style="italic">'
                   f'… {e.hidden_columns} more columns</text>')
    out.append("</g>")
    return "\n".join(out)


def _draw_edge(r: Relationship, boxes: dict[str, _Box], colour: str, style: SvgStyle) -> str:
    child, parent = boxes[r.from_asset], boxes[r.to_asset]
    y1, y2 = child.row_y(r.from_column, style), parent.row_y(r.to_column, style)
    if child.x > parent.x:
        x1, x2 = child.x, parent.x + parent.width
        bend = (x1 - x2) / 2
        c1, c2 = x1 - bend, x2 + bend
    else:  # same column (or a self reference): loop out to the right
        x1, x2 = child.x + child.width, parent.x + parent.width
        c1 = c2 = max(x1, x2) + style.column_gap_px / 2
    many = _side(r.cardinality, 0) != "one"
    label = (f"{r.from_asset}.{r.from_column} → {r.to_asset}.{r.to_column} "
             f"({r.cardinality}, {r.coverage:.0%} of values match)")
    toward = -1 if c1 < x1 else 1
    return (
        f'<g class="relation"><title>{escape(label)}</title>'
        f'<path d="M{x1:.1f},{y1:.1f} C{c1:.1f},{y1:.1f} {c2:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" fill="none" '
        f'stroke="{colour}" stroke-width="1.8" opacity="0.9"/>'
        f'<circle cx="{x2:.1f}" cy="{y2:.1f}" r="3.5" fill="{colour}"/>'
        f'<text x="{x1 + toward * 6:.1f}" y="{y1 - 4:.1f}" fill="{colour}" font-size="{style.font_px - 1}" '
        f'text-anchor="{"end" if toward < 0 else "start"}">{"N" if many else "1"}</text>'
        f'<text x="{x2 + 6:.1f}" y="{y2 - 4:.1f}" fill="{colour}" font-size="{style.font_px - 1}">'
        f'{"1" if _side(r.cardinality, 1) == "one" else "N"}</text></g>'
    )
