"""Answer templates for the offline planner: a direct first sentence, then the tool's own summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stocktake.numbers import is_number, measure_text, value_text
from stocktake.words import plural


@dataclass(frozen=True)
class AnswerSettings:
    mostly_empty: float = 0.5  # share of missing values above which a column is "mostly empty"
    table_rows: int = 20  # rows of a query result shown in an answer
    cell_chars: int = 60


SETTINGS = AnswerSettings()


def render_answer(intent: str, args: dict, content: str, artifact: Any) -> str:
    render = _TEMPLATES.get(intent)
    return render(args, content, artifact or {}) if render else content


def render_brief(intent: str, args: dict, content: str, artifact: Any) -> str:
    """The answer's lead, for a page that shows the tool's result as a table just above it."""
    text = render_answer(intent, args, content, artifact)
    lead = text.split("\n\n")[0].split("\n")[0].rstrip().rstrip(":")
    return lead if lead == text.strip() else lead.removesuffix(".") + " (see the table above)."


def _size(args: dict, content: str, art: dict) -> str:
    a = art["asset"]
    return f"**{a['name']}** has **{a['rows']:,} rows** and **{a['n_columns']} columns** (version {a['version']})."


def _columns(args: dict, content: str, art: dict) -> str:
    a, by_name = art["asset"], {c["name"]: c for c in art["profile"]["columns"]}
    rows = "\n".join(f"| {c['name']} | {c['type']} | {by_name.get(c['name'], {}).get('semantic_type', '')} |"
                     for c in a["columns"])
    return (f"**{a['name']}** has {a['rows']:,} rows and {a['n_columns']} columns:\n\n| column | type | meaning |\n"
            f"|---|---|---|\n{rows}")


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
    if top.get("asset") and top.get("column"):
        where = f"`{top['asset']}.{top['column']}`"
    else:  # a passage on a whole table answers "where is X stored" with that table
        where = f"asset **{top['asset']}**" if top.get("asset") else top["location"]
    others = "\n".join(f"- {h['location']}" for h in hits[1:4])
    return (f"From the schema docs, {where}:\n\n> {top['text'][:600]}\n\n"
            f"Source: **{top['location']}**" + (f"\n\nAlso relevant:\n{others}" if others else ""))


def _missing(args: dict, content: str, art: dict) -> str:
    issues = sorted(art.get("issues") or [], key=lambda i: -i["details"].get("share", 0))
    scope = f"{args['asset']} column" if args.get("asset") else "column"
    if not issues:
        return content
    shares = [(f"{i['asset']}.{i['column']}" if not args.get("asset") else i["column"], i["rows"],
               i["details"].get("share", 0)) for i in issues]
    mostly = [s for s in shares if s[2] > SETTINGS.mostly_empty]
    listed = ", ".join(f"{c} ({rows:,} rows, {share:.1%})" for c, rows, share in (mostly or shares)[:8])
    if mostly:
        lead = f"**{len(mostly)} {scope}{'s are' if len(mostly) > 1 else ' is'} mostly empty**: {listed}."
    else:
        lead = f"**No {scope} is mostly empty**; the columns with missing values are {listed}."
    return f"{lead}\n\n{content}"


def _value_counts(args: dict, content: str, art: dict) -> str:
    columns, rows = art.get("columns") or [], art.get("rows") or []
    if len(columns) != 3 or not rows:
        return content
    table = _table([columns[0], "rows", "share"], [[value, f"{n:,}", f"{percent}%"] for value, n, percent in rows])
    return f"Rows per **{columns[0]}**:\n\n{table}"


def _largest(args: dict, content: str, art: dict) -> str:
    assets = sorted(art.get("assets") or [], key=lambda a: -(a.get("rows") or 0))
    if not assets:
        return content
    table = _table(["asset", "rows", "columns"], [[a["name"], f"{a['rows']:,}" if a.get("rows") is not None else "?",
                                                  len(a.get("columns") or [])] for a in assets])
    return (f"**{assets[0]['name']}** is the biggest asset, with **{plural(assets[0]['rows'] or 0, 'row')}**. "
            f"By rows:\n\n{table}")


def _orphans(args: dict, content: str, art: dict) -> str:
    """Rows whose key finds no match: every relationship of the asset asked about (as the child) that has
    orphans, so the summary agrees with the table under it; "every key matches" only when none has."""
    rels = [r for r in art.get("relations") or [] if not args.get("asset") or r["from_asset"] == args["asset"]]
    rels = rels or list(art.get("relations") or [])
    if not rels:
        return content
    broken = [r for r in rels if r["orphan_rows"]]
    if not broken:
        keys = ", ".join(f"{r['from_asset']}.{r['from_column']} → {r['to_asset']}.{r['to_column']}" for r in rels)
        return f"Every key has a match ({keys}).\n\n{content}"
    parts = [f"**{plural(r['orphan_rows'], 'row')} of {r['from_asset']}** {'has' if r['orphan_rows'] == 1 else 'have'} "
             f"a {r['from_column']} with no match in {r['to_asset']} ({r['from_asset']}.{r['from_column']} → "
             f"{r['to_asset']}.{r['to_column']})" for r in broken]
    return "; ".join(parts) + f".\n\n{content}"


def _distinct(args: dict, content: str, art: dict) -> str:
    columns, rows = art.get("columns") or [], art.get("rows") or []
    if len(columns) != 3 or len(rows) != 1:
        return content
    (distinct, with_value, total), column = rows[0], columns[0].removeprefix("distinct ")
    table = args["query"].rsplit(" FROM ", 1)[1].strip('"')
    missing = f", {plural(total - with_value, 'row')} without one" if total > with_value else ""
    return (f"**{distinct:,} distinct {column} values** in {table} ({plural(total, 'row')}{missing}).\n\n"
            f"Query: `{art.get('sql', args['query'])}`")


def _rows(args: dict, content: str, art: dict) -> str:
    """A query's result as a table (rows were masked and quoted by the tool)."""
    columns, rows = art.get("columns") or [], art.get("rows") or []
    cut = " (cut by the row limit)" if art.get("truncated") else ""
    head = f"**{plural(len(rows), 'row')}**{cut} from `{art.get('sql', args.get('query', ''))}`"
    if not rows:
        return f"{head}."
    shown = rows[: SETTINGS.table_rows]
    more = f"\n\n_{len(shown)} of {len(rows):,} rows shown._" if len(rows) > len(shown) else ""
    return f"{head}:\n\n{_table(columns, shown)}{more}"


def _table(header: list, rows: list[list]) -> str:
    def cell(v) -> str:
        text = "∅" if v is None else str(v).replace("\n", " ").replace("|", "\\|")
        return text if len(text) <= SETTINGS.cell_chars else text[: SETTINGS.cell_chars - 1] + "…"

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows])


def _data(args: dict, content: str, art: dict) -> str:
    """A query plan's answer: the result in one line, the table, what was left out, and the SQL."""
    columns, rows = art.get("columns") or [], art.get("rows") or []
    labels, measures = art.get("labels") or [], art.get("measures") or []
    if not rows:
        lead = "**No rows match.**"
    elif measures and not labels and len(rows) == 1:
        lead = " · ".join(f"**{number(v)}** {name}" for name, v in zip(columns, rows[0]))
    elif measures and labels:
        top = rows[0]
        lead = (f"{plural(len(rows), 'group')}; first: **{cell_text(top[0])}** with {columns[len(labels)]} "
                f"**{number(top[len(labels)])}**")
        limit = (art.get("plan") or {}).get("limit")
        if limit and len(rows) > limit and len({r[len(labels)] for r in rows}) == 1:  # "the most" is no one
            lead = (f"**All {plural(len(rows), 'group')} tie** with {columns[len(labels)]} "
                    f"**{number(top[len(labels)])}**: none comes first")
        elif limit and len(rows) > limit:
            lead += f" ({len(rows)} rows for a top {limit}: ties at the cut are kept)"
    else:
        lead = f"**{plural(len(rows), 'row')}**" + (" (cut by the row limit)" if art.get("truncated") else "")
    shown = rows[: SETTINGS.table_rows]
    width = len(labels)
    table = "" if not rows or (measures and not labels and len(rows) == 1) else "\n\n" + _table(
        columns, [[v if i < width or not measures else column_measure_text(columns[i], v) for i, v in enumerate(r)]
                  for r in shown])
    more = f"\n\n_{len(shown)} of {len(rows):,} rows shown._" if len(rows) > len(shown) else ""
    dropped = "".join(f"\n\nLeft out by the join: {d}." for d in art.get("dropped") or [])
    notes = "".join(f"{n}\n\n" for n in art.get("notes") or [])
    return f"{notes}{lead}{table}{more}{dropped}\n\n{sql_block(art)}"


def sql_block(art: dict) -> str:
    params = art.get("params") or []
    values = f"\n-- values: {', '.join(repr(v) for v in params)}" if params else ""
    return f"Query:\n```sql\n{art.get('sql', '')}{values}\n```"


def column_measure_text(column: str, value) -> str:
    return f"{value:.1f}%" if column == "percent" and isinstance(value, (int, float)) else number(value)


def number(value) -> str:
    """A measure for people, by the rule of :mod:`stocktake.numbers` (0.0076 and 0.0369 read alike)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell_text(value)
    return measure_text(value)


def cell_text(value) -> str:
    if value is None:
        return "∅"
    return value.isoformat(sep=" ") if hasattr(value, "isoformat") and not isinstance(value, str) else str(value)


def _clean_next(args: dict, content: str, art: dict) -> str:
    return cleaning_step_text(art["step"]) if isinstance(art.get("step"), dict) else content


def cleaning_step_text(step: dict, rows: int = 3, columns: int = 6) -> str:
    """A proposed cleaning step for people: what and why, its pandas code in a code block, and a few rows
    before and after as a table (the tool's one-line text quotes rows as cut-off dicts, which reads as code)."""
    affected = f" ({plural(step['rows_affected'], 'row')})" if step.get("rows_affected") is not None else ""
    why = step.get("why", "").strip()
    lead = f"{step['id']} ({step['status']}) {step['kind']}: {step['what']}{affected}. Why: {why}"
    preview = step.get("preview") or {}
    before = preview.get("before") or []
    after = {r.get("_row"): r for r in preview.get("after") or []}
    names = [c for c in dict.fromkeys(k for r in before for k in r) if c != "_row"][:columns]
    def values(row: dict) -> list:
        return [value_text(c, row.get(c)) if is_number(row.get(c)) else row.get(c) for c in names]

    body = []
    for old in before[:rows]:
        new = after.get(old.get("_row"))
        body.append(["before", old.get("_row"), *values(old)])
        body.append(["after", old.get("_row"), *(values(new) if new else ["_(removed)_"] + [""] * (len(names) - 1))])
    table = f"Rows before and after:\n\n{_table(['state', 'row', *names], body)}" if body else ""
    code = f"Code:\n```python\n{step['code'].strip()}\n```" if step.get("code") else ""
    return "\n\n".join(part for part in (lead, code, table) if part)


def _places(args: dict, content: str, art: dict) -> str:
    places = art.get("places") or []
    if not places:
        return "I couldn't find an asset or column for those words."
    top = places[0]
    where = f"`{top['asset']}.{top['column']}`" if top.get("column") else f"asset **{top['asset']}**"
    doc = f"\n\n> {top['doc'][:1500]}" if top.get("doc") else ""
    if not doc and top.get("facts"):  # no schema docs describe it: what the data itself shows
        doc = f"\n\nNo schema docs describe it; in the data: {top['facts']}"
    others = "\n".join(f"- {p['asset']}" + (f".{p['column']}" if p.get("column") else "") for p in places[1:])
    said = f"That is in {where}."
    if art.get("missed"):  # part of the question named nothing: the best place is only the closest one
        missed = " or ".join(f"“{w}”" for w in art["missed"])
        said = f"No asset or column is named for {missed}; the closest match is {where}."
    personal = "".join(f"\n\n{_personal_line(p)}" for p in art.get("personal") or ())
    return f"{said}{doc}{personal}" + (f"\n\nAlso close:\n{others}" if others else "")  # the doc is the place's


def _personal_line(p: dict) -> str:
    rows = f" ({plural(p['rows'], 'row')})" if p.get("rows") else ""
    return f"Personal data found in `{p['asset']}.{p['column']}`{rows}: {p['reason']}."


def _meaning(args: dict, content: str, art: dict) -> str:
    return _places(args, content, art) if "places" in art else _docs(args, content, art)


_TEMPLATES = {"data": _data, "location": _places, "meaning": _meaning, "asset_size": _size, "asset_columns": _columns, "time_range": _time_range,
              "docs_search": _docs, "missing_values": _missing, "value_counts": _value_counts, "sql": _rows,
              "sample_rows": _rows, "largest_assets": _largest, "orphans": _orphans, "distinct_count": _distinct,
              "clean_next": _clean_next}
