"""What a live source's schema holds, as introspected: tables and views, their columns, declared keys and comments.

Stored in the catalog as JSON (``to_dict``/``from_dict``), so that a sync can tell when the schema has changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SourceColumn:
    name: str
    type: str  # the source's own type name (integer, numeric(12,2), timestamp with time zone, …)
    nullable: bool = True
    comment: str = ""


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str  # the referenced table, as SourceTable.name
    references: tuple[str, ...]


@dataclass(frozen=True)
class SourceTable:
    name: str  # ``orders``, or ``schema.orders`` outside the default schema
    kind: str  # table | view
    columns: tuple[SourceColumn, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    comment: str = ""
    row_estimate: float = -1.0  # the server's own estimate (no count is run to introspect)
    # what the user must hear of this read, one line each: how the source was read, lines that could not be
    # parsed (their count and the first few); shown by add and sync, never part of the shape
    notes: tuple[str, ...] = ()

    def shape(self) -> tuple[tuple[str, str], ...]:
        """What a sync compares: the columns and their types, in order."""
        return tuple((c.name, c.type) for c in self.columns)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> SourceTable:
        return cls(name=d["name"], kind=d["kind"], columns=tuple(SourceColumn(**c) for c in d["columns"]),
                   primary_key=tuple(d["primary_key"]),
                   foreign_keys=tuple(ForeignKey(tuple(f["columns"]), f["table"], tuple(f["references"]))
                                      for f in d["foreign_keys"]),
                   comment=d["comment"], row_estimate=d["row_estimate"], notes=tuple(d.get("notes", ())))


@dataclass(frozen=True)
class ReadPlan:
    """How much of a table to read: ``limit`` rows at most, a ``sample`` of about that many rows (the same rows
    each time for the same data), and only rows whose ``cursor`` column is past ``after``."""
    limit: int | None = None
    sample: int | None = None
    cursor: str | None = None
    after: str | None = None

    @property
    def bound(self) -> int | None:
        """The most rows to read: the smaller of ``limit`` and ``sample``."""
        given = [n for n in (self.limit, self.sample) if n is not None]
        return min(given) if given else None

    def sample_share(self, rows: float) -> float | None:
        """The share of a table of about ``rows`` rows that a sample keeps: a fifth more than asked for, the
        ``bound`` cutting it to size; None where the table holds no more rows than the sample (or none known)."""
        if self.sample is None or rows <= self.sample:
            return None
        return min(1.0, 1.2 * self.sample / rows)
