"""Live sources: databases, JSON APIs and log files registered once (their location without a secret, their schema,
declared keys and comments) whose tables become assets, synced by content hash or incrementally by a cursor column.
Each kind is one connector module (connectors.py says which reads what)."""

from stocktake.tools.sources.model import ForeignKey, ReadPlan, SourceColumn, SourceTable
from stocktake.tools.sources.records import SourceRecord
from stocktake.tools.sources.sync import SyncedTable, SyncResult, add_source, sync_source
from stocktake.tools.sources.url import SourceURL, parse_url

__all__ = ["ForeignKey", "ReadPlan", "SourceColumn", "SourceRecord", "SourceTable", "SourceURL", "SyncResult",
           "SyncedTable", "add_source", "parse_url", "sync_source"]
