"""The records of schema-doc retrieval: chunks, hits, index reports, and how names are normalised."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class DocsSettings:
    max_chunk_chars: int = 1000  # MiniLM reads 256 word pieces; longer prose is split at paragraphs
    candidates: int = 40  # per retriever, before fusion
    fusion: str = "weighted"  # weighted (scores) or rrf (ranks); bench/docs_eval.py compares them
    rrf_k: int = 60  # reciprocal rank fusion constant (Cormack et al.)
    # Weighted fusion adds cosine similarity and keyword_weight x BM25 relative to the best keyword hit. Dense
    # similarities of the top hits differ by hundredths, so 0.2 lets an exact identifier match decide while
    # stopping a common word from overriding meaning; 0.1-0.3 score alike on bench/docs_questions.yaml.
    dense_weight: float = 1.0
    keyword_weight: float = 0.2
    # A question gets hits only if it shares a keyword with some passage or its best cosine similarity reaches
    # this: on the sample docs, nonsense ("xqzv qqq blorf", "hello", "the weather in paris") tops out at 0.10-0.34,
    # while one-word or paraphrased questions about documented columns ("tier", "which town does the buyer live
    # in?") reach 0.36-0.75.
    min_similarity: float = 0.35
    # A name that only shares words with an asset's (olist_orders_dataset, orders) links when the asset has this
    # share of the documented columns, and at least link_min_shared_columns of them: a key such as order_id alone
    # is in every foreign dictionary too.
    link_min_column_overlap: float = 0.5
    link_min_shared_columns: int = 2
    link_columns_only: float = 0.8  # share needed to link when the names do not match at all
    link_columns_only_min: int = 3
    example_values: int = 3
    example_sample_rows: int = 2000
    max_example_chars: int = 40


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of documentation: a table, a column, or a passage of prose."""

    text: str
    source: str  # resolved file path, or "profile:<asset>" for generated docs
    location: str  # "DATA_DICTIONARY.md › olist_orders_dataset › order_status" or "README (lines 3-9)"
    table: str | None = None
    column: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    kind: str = "doc"  # doc | profile
    asset: str | None = None  # the catalog asset this chunk describes, when linked
    asset_column: str | None = None
    asset_version: int | None = None

    @property
    def id(self) -> str:
        """A content hash: re-adding the same doc gives the same ids, a changed chunk a new one."""
        digest = hashlib.sha256("\x00".join((self.source, self.location, self.text)).encode())
        return digest.hexdigest()[:32]

    def metadata(self) -> dict:
        # Chroma metadata values cannot be None; a missing key reads back as None.
        return {k: v for k, v in asdict(self).items() if k != "text" and v is not None}

    @classmethod
    def from_record(cls, text: str, metadata: dict) -> Chunk:
        names = cls.__dataclass_fields__.keys()
        return cls(text=text, **{k: v for k, v in metadata.items() if k in names})


@dataclass(frozen=True)
class DocHit:
    text: str
    source: str
    location: str
    asset: str | None
    column: str | None
    score: float
    table: str | None = None
    kind: str = "doc"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FileReport:
    source: str
    chunks: int
    added: int
    removed: int
    unchanged: int
    linked: int  # chunks linked to a catalog asset


@dataclass(frozen=True)
class IndexReport:
    files: tuple[FileReport, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (path, why)
    seconds: float = 0.0

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files)

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {
            "files": [asdict(f) for f in self.files], "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "chunks": self.chunks, "added": sum(f.added for f in self.files),
            "removed": sum(f.removed for f in self.files), "seconds": round(self.seconds, 3),
            "chunks_per_second": round(self.chunks_per_second, 1),
        }


@dataclass(frozen=True)
class DocSource:
    source: str
    kind: str
    chunks: int
    tables: tuple[str, ...] = field(default=())
    assets: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return asdict(self)


# ---- names and words ---------------------------------------------------------------------------------
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_IDENT = re.compile(r"[A-Za-z0-9]+(?:[._][A-Za-z0-9]+)*")
_DATA_SUFFIX = re.compile(r"\.(csv|tsv|txt|parquet|json|jsonl|xlsx|dat)$", re.IGNORECASE)
_NOISE = {"olist", "dataset", "datasets", "data", "table", "tbl", "dim", "fact", "raw", "stg", "the", "file"}
STOPWORDS = frozenset(
    "a am an and are as at be by can did do does for from has have how i in is it its of on or that the this to "
    "was what when where which who whom why will with we you your my me there their they them than then "
    "into about should would could any all each".split()
)


def snake(name: str) -> str:
    """``userId`` and ``User ID`` become ``user_id``."""
    return re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub("_", name.strip()).lower()).strip("_")


def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def table_name(name: str) -> str:
    """A data file named as a table: ``orders.csv`` is ``orders``; ``u.data`` stays as it is."""
    return _DATA_SUFFIX.sub("", name)


def name_tokens(name: str) -> tuple[str, ...]:
    """The meaningful words of a table name: ``olist_orders_dataset`` and ``orders.csv`` both give ``('order',)``."""
    words = [stem(w) for w in snake(table_name(name)).split("_") if w]
    meaningful = tuple(w for w in words if w not in _NOISE)
    return meaningful or tuple(words)


def tokenize(text: str) -> list[str]:
    """Keyword tokens: each identifier whole (``order_purchase_timestamp``) and its parts, stemmed, no stopwords."""
    tokens: list[str] = []
    for match in _IDENT.finditer(text):
        raw = match.group()
        parts = [p for p in re.split(r"[._]", _CAMEL.sub("_", raw).lower()) if p]
        if len(parts) > 1:
            tokens.append(raw.lower())
        tokens.extend(stem(p) for p in parts if p not in STOPWORDS)
    return tokens


COLUMNS_LINE = "\nColumns: "


def keyword_text(text: str) -> str:
    """The text BM25 sees: a table chunk's column list is left out, so an exact column name ranks its own chunk
    first rather than the (shorter) list that merely names it."""
    head, _, _ = text.partition(COLUMNS_LINE)
    return head


def humanize(text: str) -> str:
    """Identifiers spelled as words, which the sentence encoder understands far better."""
    return _IDENT.sub(lambda m: " ".join(p for p in re.split(r"[._]", _CAMEL.sub(" ", m.group())) if p)
                      if ("_" in m.group() or _CAMEL.search(m.group())) else m.group(), text)
