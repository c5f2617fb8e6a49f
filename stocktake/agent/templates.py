"""Answer templates for the offline planner: a direct first sentence, then the tool's own summary."""

from __future__ import annotations

from typing import Any


def render_answer(intent: str, args: dict, content: str, artifact: Any) -> str:
    render = _TEMPLATES.get(intent)
    return render(args, content, artifact or {}) if render else content


def _size(args: dict, content: str, art: dict) -> str:
    a = art["asset"]
    return f"**{a['name']}** has **{a['rows']:,} rows** and **{a['n_columns']} columns** (version {a['version']})."


def _columns(args: dict, content: str, art: dict) -> str:
    a, by_name = art["asset"], {c["name"]: c for c in art["profile"]["columns"]}
    rows = "\n".join(f"| {c['name']} | {c['type']} | {by_name.get(c['name'], {}).get('semantic_type', '')} |"
                     for c in a["columns"])
    return f"**{a['name']}** has {a['n_columns']} columns:\n\n| column | type | meaning |\n|---|---|---|\n{rows}"


def _time_range(args: dict, content: str, art: dict) -> str:
    cov = art["profile"].get("time_coverage") or {}
    name = art["asset"]["name"]
    if not cov:
        return f"**{name}** has no date or timestamp column, so it has no time range."
    return f"**{name}** covers **{cov.get('first')}** to **{cov.get('last')}** (column `{cov.get('column')}`)."


def _docs(args: dict, content: str, art: dict) -> str:
    hits = art.get("hits") or []
    if not hits:
        return content
    top = hits[0]
    where = f"`{top['asset']}.{top['column']}`" if top.get("asset") and top.get("column") else top["location"]
    others = "\n".join(f"- {h['location']}" for h in hits[1:4])
    return (f"From the schema docs, {where}:\n\n> {top['text'][:600]}\n\n"
            f"Source: **{top['location']}**" + (f"\n\nAlso relevant:\n{others}" if others else ""))


_TEMPLATES = {"asset_size": _size, "asset_columns": _columns, "time_range": _time_range,
              "docs_search": _docs}
