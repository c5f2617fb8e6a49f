"""Gather the inventory report: per asset its purpose, size, freshness, quality, PII, keys and models.

Everything here is data (frozen dataclasses); :mod:`stocktake.tools.report.markdown` and
:mod:`stocktake.tools.report.page` turn it into Markdown or HTML. A section that cannot be computed for one
asset (a table the profiler cannot read, say) is reported as such instead of failing the whole report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from stocktake.catalog import Asset, Catalog, now_iso
from stocktake.errors import UnknownNameError
from stocktake.registry import ModelRecord, ModelRegistry
from stocktake.tools.profile import find_personal_columns
from stocktake.tools.progress import Progress, no_progress
from stocktake.tools.report.er import Entity, ErColumn, Relationship

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class ReportSettings:
    top_issues: int = 5
    doc_candidates: int = 20  # keyword hits looked at per asset when picking its purpose passage
    doc_excerpt_chars: int = 600
    er_max_columns: int = 14  # per entity box; key columns are always shown
    good_quality: float = 90.0  # quality scores (0-100) from here up are shown green, from fair_quality amber
    fair_quality: float = 70.0


@dataclass(frozen=True)
class ColumnSummary:
    name: str
    type: str
    semantic_type: str | None  # None (like nulls and distinct) when the asset could not be profiled
    nulls: int | None
    null_fraction: float | None
    distinct: int | None
    pii: bool  # direct personal data: masked in answers
    key: str  # "PK", "FK", "PK, FK" or ""
    quasi_identifier: str = ""  # "quasi-identifier (zip code): ..., why": personal with others only, never masked


@dataclass(frozen=True)
class IssueSummary:
    kind: str
    column: str | None
    rows: int
    severity: str
    message: str


@dataclass(frozen=True)
class ModelSummary:
    id: str
    task: str
    algorithm: str
    asset_version: int | None
    metrics: tuple[tuple[str, float], ...]
    created_at: str


@dataclass(frozen=True)
class DocPassage:
    text: str
    location: str
    source: str


@dataclass(frozen=True)
class TimeCoverage:
    column: str
    first: str
    last: str


@dataclass(frozen=True)
class AssetSection:
    name: str
    kind: str
    description: str
    origin: str  # where the current version came from: ingested from a file, cleaned from an earlier version
    source: str
    version: int
    rows: int
    n_columns: int
    bytes: int  # of the Parquet snapshot
    updated_at: str  # when the current version was written
    columns: tuple[ColumnSummary, ...]
    relations: tuple[Relationship, ...]  # those this asset takes part in
    models: tuple[ModelSummary, ...]
    doc: DocPassage | None = None
    time_coverage: TimeCoverage | None = None
    quality_score: float | None = None
    duplicate_rows: int | None = None
    candidate_keys: tuple[tuple[str, ...], ...] = ()
    issues: tuple[IssueSummary, ...] = ()  # the top ones, most severe first
    issue_count: int = 0
    profile_error: str | None = None

    @property
    def pii_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pii)

    @property
    def quasi_identifiers(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.quasi_identifier)


@dataclass(frozen=True)
class InventoryReport:
    workspace: str
    generated_at: str
    assets: tuple[AssetSection, ...]
    relations: tuple[Relationship, ...]
    entities: tuple[Entity, ...]  # for the ER diagram: the assets and the ones they are related to
    catalog_assets: int  # how many the catalog holds, so a filtered report can say it is one
    notes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.assets

    @property
    def total_rows(self) -> int:
        return sum(a.rows for a in self.assets)

    @property
    def total_bytes(self) -> int:
        return sum(a.bytes for a in self.assets)

    @property
    def by_kind(self) -> tuple[tuple[str, int, int], ...]:
        """(kind, assets, rows) per asset kind, most rows first."""
        kinds: dict[str, list[int]] = {}
        for a in self.assets:
            kinds.setdefault(a.kind, []).append(a.rows)
        return tuple(sorted(((k, len(v), sum(v)) for k, v in kinds.items()), key=lambda t: (-t[2], t[0])))

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(total_rows=self.total_rows, total_bytes=self.total_bytes,
                    by_kind=[{"kind": k, "assets": n, "rows": r} for k, n, r in self.by_kind])
        for section, asset in zip(data["assets"], self.assets):
            section["pii_columns"] = list(asset.pii_columns)
            section["quasi_identifiers"] = list(asset.quasi_identifiers)
        return data


def build_report(catalog: Catalog, assets: Sequence[str] | None = None,
                 settings: ReportSettings = ReportSettings(), progress: Progress = no_progress) -> InventoryReport:
    """Gather the report for ``assets`` (default: every asset in the catalog)."""
    from stocktake.tools.profile import profiles_read_once

    known = catalog.names()
    names = list(dict.fromkeys(assets)) if assets else known
    for name in names:
        if name not in known:
            raise UnknownNameError("asset", name, known)
    # Relations and every section need the profiles; each is read from the cache once for the whole report.
    with profiles_read_once():
        return _gather(catalog, names, len(known), settings, progress)


def _gather(catalog: Catalog, names: list[str], catalog_assets: int, settings: ReportSettings,
            progress: Progress) -> InventoryReport:
    notes: list[str] = []
    if names:
        _profile_up_front(catalog, progress)
        progress("finding relationships", 0, None)
    relations = _relations(catalog, names, notes) if names else ()
    progress("reading the schema docs", 0, None)
    try:
        docs = find_doc_passages(catalog, names, settings)
    except Exception as exc:  # noqa: BLE001 - docs are optional; the catalog description still says what it is
        notes.append(f"The schema-doc index could not be read: {type(exc).__name__}: {exc}")
        docs = {}
    registry = ModelRegistry(catalog.ws)
    sections = []
    for done, n in enumerate(names):
        progress(f"summarising {n}", done, len(names))
        sections.append(_section(catalog, catalog.get(n), relations, docs.get(n), registry.list(asset=n), settings))
    sections = tuple(sections)
    return InventoryReport(
        workspace=str(catalog.ws.root), generated_at=now_iso(), assets=sections, relations=relations,
        entities=_entities(catalog, sections, relations, settings), catalog_assets=catalog_assets, notes=tuple(notes),
    )


def _profile_up_front(catalog: Catalog, progress: Progress) -> None:
    """Profile every asset one at a time, with progress: relations and the sections then read the profiles
    from the cache (relations compare every asset, so all of them are profiled whichever are reported)."""
    from stocktake.settings import ProfileSettings
    from stocktake.tools.profile import readable_profiles

    try:
        readable_profiles(catalog, ProfileSettings(), progress=progress)
    except Exception:  # noqa: BLE001 - what fails here is reported in the notes and the sections, as before
        return


def _relations(catalog: Catalog, names: list[str], notes: list[str]) -> tuple[Relationship, ...]:
    from stocktake.tools.profile import find_relations

    try:
        found = find_relations(catalog, involving=names) if len(names) == 1 else find_relations(catalog)
    except Exception as exc:  # noqa: BLE001 - the report still has everything else to say
        notes.append(f"Relationships could not be computed: {type(exc).__name__}: {exc}")
        return ()
    wanted = set(names)
    found = sorted(found, key=lambda r: (r.from_asset, r.from_column, r.to_asset))
    return tuple(
        Relationship(r.from_asset, r.from_column, r.to_asset, r.to_column, float(r.coverage), r.reading)
        for r in found if r.from_asset in wanted or r.to_asset in wanted
    )


def _section(catalog: Catalog, asset: Asset, relations: tuple[Relationship, ...], doc: DocPassage | None,
             models: list[ModelRecord], settings: ReportSettings) -> AssetSection:
    from stocktake.tools.profile import profile_asset

    mine = tuple(r for r in relations if asset.name in (r.from_asset, r.to_asset))
    common = dict(
        name=asset.name, kind=asset.kind, description=asset.about, origin=asset.origin, source=asset.source,
        version=asset.version, rows=asset.rows, n_columns=len(asset.columns), bytes=asset.path.stat().st_size,
        updated_at=asset.current.created_at, relations=mine, models=tuple(_model(m) for m in models), doc=doc,
    )
    try:
        profile = profile_asset(catalog, asset.name)
    except Exception as exc:  # noqa: BLE001 - one unreadable table must not sink the whole inventory
        columns = tuple(ColumnSummary(c.name, c.type, None, None, None, None, False,
                                      _key(asset.name, c.name, (), mine)) for c in asset.columns)
        return AssetSection(**common, columns=columns, profile_error=f"{type(exc).__name__}: {exc}")
    keys = tuple(tuple(k) for k in profile.candidate_keys)
    found = find_personal_columns(profile)
    personal = {p.column for p in found if p.direct}
    quasi = {p.column: p.reason for p in found if not p.direct}
    columns = tuple(
        ColumnSummary(
            name=c.name, type=c.type, semantic_type=c.semantic_type, nulls=int(c.nulls),
            null_fraction=float(c.null_fraction), distinct=c.distinct,
            pii=c.name in personal,
            key=_key(asset.name, c.name, keys, mine),
            quasi_identifier=quasi.get(c.name, ""),
        )
        for c in profile.columns
    )
    ranked = sorted(profile.issues, key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), -i.rows, i.kind))
    return AssetSection(
        **common, columns=columns, time_coverage=_coverage(profile.time_coverage),
        quality_score=float(profile.quality_score), duplicate_rows=int(profile.duplicate_rows), candidate_keys=keys,
        issues=tuple(IssueSummary(i.kind, i.column, int(i.rows), i.severity, i.message)
                     for i in ranked[: settings.top_issues]),
        issue_count=len(profile.issues),
    )


def _key(asset: str, column: str, keys: tuple[tuple[str, ...], ...], relations: tuple[Relationship, ...]) -> str:
    primary = (column,) in keys or any(r.to_asset == asset and r.to_column == column for r in relations)
    foreign = any(r.from_asset == asset and r.from_column == column for r in relations)
    return ", ".join(k for k, on in (("PK", primary), ("FK", foreign)) if on)


def _coverage(coverage: dict | None) -> TimeCoverage | None:
    if not coverage:
        return None
    return TimeCoverage(str(coverage["column"]), str(coverage["first"]), str(coverage["last"]))


def _model(record: ModelRecord) -> ModelSummary:
    # Scalar metrics only: per-class breakdowns and confusion matrices belong to the model's own page.
    metrics = tuple((k, float(v)) for k, v in record.metrics.items()
                    if isinstance(v, int | float) and not isinstance(v, bool))
    return ModelSummary(record.id, record.task, record.algorithm, record.asset_version, metrics, record.created_at)


def _entities(catalog: Catalog, sections: tuple[AssetSection, ...], relations: tuple[Relationship, ...],
              settings: ReportSettings) -> tuple[Entity, ...]:
    """ER boxes: the report's assets with their columns, plus the assets they are related to."""
    columns = {s.name: [(c.name, c.type, c.key) for c in s.columns] for s in sections}
    for other in dict.fromkeys(n for r in relations for n in (r.from_asset, r.to_asset) if n not in columns):
        columns[other] = [(c.name, c.type, _key(other, c.name, (), relations)) for c in catalog.get(other).columns]
    entities = []
    for name, cols in columns.items():
        keyed = [c for c in cols if c[2]]
        rest = [c for c in cols if not c[2]][: max(settings.er_max_columns - len(keyed), 0)]
        shown = [c for c in cols if c in keyed or c in rest]
        entities.append(Entity(name, tuple(ErColumn(*c) for c in shown), hidden_columns=len(cols) - len(shown)))
    return tuple(entities)


def find_doc_passages(catalog: Catalog, names: Sequence[str],
                      settings: ReportSettings = ReportSettings()) -> dict[str, DocPassage]:
    """The schema-doc passage that best says what each asset is, from the workspace's doc index if it has one.

    Keyword search only: loading the sentence encoder would cost seconds per report for a passage that a
    table-name query finds as well, and a workspace without an index is left without one.
    """
    if not names or not (catalog.ws.dir("chroma") / "chroma.sqlite3").exists():
        return {}
    from stocktake.tools.docs import DocStore, search_docs

    store = DocStore(catalog.ws)
    found = {}
    for name in names:
        try:
            hits = search_docs(store, f"{name} table", k=settings.doc_candidates, asset=name, mode="keyword")
        except UnknownNameError:  # no doc is linked to this asset
            continue
        # Written docs over generated ones (those only restate the catalog), table passages over column ones.
        written = sorted((h for h in hits if h.kind != "profile"), key=lambda h: h.column is not None)
        if written:
            text = written[0].text.strip()
            if len(text) > settings.doc_excerpt_chars:
                text = text[: settings.doc_excerpt_chars].rsplit(" ", 1)[0] + " …"
            found[name] = DocPassage(text, written[0].location, written[0].source)
    return found
