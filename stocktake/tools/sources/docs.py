"""A live source's schema as docs: one passage per table (its comment, declared keys) and one per commented
column, linked to the assets the tables became, so that the docs search finds what the database says of itself."""

from __future__ import annotations

from stocktake.tools.docs.chunk_parts import SEP
from stocktake.tools.docs.model import Chunk
from stocktake.tools.sources.connectors import for_location
from stocktake.tools.sources.model import SourceTable
from stocktake.tools.sources.records import SourceRecord


def doc_source(name: str) -> str:
    """The docs index's name for a source's schema doc."""
    return f"source:{name}"


def schema_chunks(record: SourceRecord) -> list[Chunk]:
    chunks = []
    for table in record.tables:
        asset = record.asset_name(table.name)
        common = dict(source=doc_source(record.name), table=asset, asset=asset)
        chunks.append(Chunk(text=_table_text(record, table), location=SEP.join([record.name, table.name]), **common))
        chunks += [Chunk(text=f"{asset}{SEP}{c.name} ({c.type}): {c.comment}", location=SEP.join(
                         [record.name, table.name, c.name]), column=c.name, asset_column=c.name, **common)
                   for c in table.columns if c.comment]
    return chunks


def _table_text(record: SourceRecord, table: SourceTable) -> str:
    kind = for_location(record.url, record.name).kind
    lines = [f"{record.asset_name(table.name)}: {table.kind} {table.name} of the {kind} source {record.name}."]
    if table.comment:
        lines.append(table.comment)
    lines.append("Columns: " + ", ".join(f"{c.name} ({c.type})" for c in table.columns))
    if table.primary_key:
        lines.append(f"Declared primary key: {', '.join(table.primary_key)}.")
    for key in table.foreign_keys:
        lines.append(f"Declared foreign key: {', '.join(key.columns)} references "
                     f"{record.asset_name(key.table)} ({', '.join(key.references)}).")
    return "\n".join(lines)
