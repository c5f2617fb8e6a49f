"""Typed settings: every threshold and default lives here; some can be set by environment variables.

The settings that read the environment are pydantic-settings classes: each field that a variable can set names it
(its ``validation_alias``, matched case-sensitively) and no other field is read from the environment, so building
one, ``LLMSettings()`` say, gives the defaults overridden by those variables. A bad value is one line naming the
variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from stocktake.errors import StocktakeError

DEFAULT_WORKSPACE = "stocktake-workspace"


class _NamedVariables(EnvSettingsSource):
    """The environment, for the fields that name their variable only: the others are never read from it."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field.validation_alias is None:
            return None, field_name, False
        return super().get_field_value(field, field_name)


class EnvSettings(BaseSettings):
    """Frozen settings whose fields with a ``validation_alias`` are read from that environment variable."""

    model_config = SettingsConfigDict(frozen=True, case_sensitive=True, validate_by_name=True)

    def __init__(self, **values: Any):
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise self._bad_variable(exc) from None

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_others):
        return init_settings, _NamedVariables(settings_cls)

    @classmethod
    def _bad_variable(cls, exc: ValidationError) -> Exception:
        """A value from the environment that does not fit, in one line; a bad value given in code stays as it is."""
        error = exc.errors()[0]
        var = str(error["loc"][0]) if error["loc"] else ""
        name = next((n for n, f in cls.model_fields.items() if f.validation_alias == var), None)
        if name is None or var not in os.environ:
            return exc
        raw = os.environ[var]
        if error["type"] == "greater_than":
            return StocktakeError(f"{var}={raw!r} must be positive.")
        kind = cls.model_fields[name].annotation.__name__
        return StocktakeError(f"{var}={raw!r} is not a number: give a positive {kind}.")


class LLMSettings(EnvSettings):
    base_url: str = Field("http://127.0.0.1:8000/v1", validation_alias="STOCKTAKE_LLM_BASE_URL")
    model: str = Field("Qwen/Qwen2.5-7B-Instruct", validation_alias="STOCKTAKE_LLM_MODEL")
    api_key: str = Field("EMPTY", validation_alias="STOCKTAKE_LLM_API_KEY")
    timeout_s: float = 120.0
    max_steps: int = 12


@dataclass(frozen=True)
class ProfileSettings:
    """Thresholds of the profiler (stocktake/tools/profile*.py) and the relation finder (relations.py)."""

    exact_distinct_limit: int = 1_000_000  # beyond this many (approximate) distinct values, report approximate
    top_values: int = 10
    value_count_limit: int = 100_000  # top values only for columns with at most this many distinct values
    histogram_bins: int = 20
    time_buckets_min: int = 12  # date columns: rows per year, month, week or day, the coarsest giving this many bars
    time_buckets_max: int = 400  # ... beyond this many bars, equal-width bins instead
    value_bars_max_span: int = 20  # integer columns spanning at most this many values get one bar per value
    missing_warn_fraction: float = 0.0  # a column with a larger share of nulls gets a missing_values issue
    max_key_combination: int = 2
    examples: int = 3
    sample_rows: int = 20_000  # evenly spaced rows read to decide semantic types; counts are always exact
    exact_quantile_rows: int = 200_000  # exact quantiles up to this many rows, approximate (t-digest) beyond
    parse_min_fraction: float = 0.9  # a text column is "dates" or "numbers" when this share parses
    mixed_min_fraction: float = 0.1  # between this and parse_min_fraction numeric: mixed_types
    category_max_distinct: int = 1_000
    category_min_mean_count: float = 5.0  # rows per distinct value for a text column to be a category
    free_text_min_chars: float = 20.0
    free_text_min_words: float = 3.0
    typo_min_length: int = 5  # shorter values are never merged as typos ("Asus"/"Asos")
    typo_max_ratio: float = 0.2  # a typo variant has at most this share of its canonical spelling's rows
    outlier_iqr_k: float = 3.0  # Tukey's far-out fences; money is judged on a log scale
    ancient_year: int = 1900
    future_days: int = 1
    time_gap_min_days: float = 7.0
    key_min_unique_ratio: float = 0.99  # distinct/non-null for a key (tolerates a few duplicate keys)
    fk_min_coverage: float = 0.9  # named relations: share of child rows found in the parent
    fk_unnamed_min_coverage: float = 0.99  # relations without name evidence must cover nearly all rows
    fk_min_distinct_ratio: float = 0.5  # ... and use at least this share of the parent's keys
    memory_limit: str = "1500MB"  # DuckDB spills to disk beyond this
    column_batch: int = 100  # columns profiled per query: queries over thousands of columns at once run out of memory
    wide_cells_in_memory: int = 5_000_000  # a wide table is held in memory up to this many cells


@dataclass(frozen=True)
class ContractSettings:
    """Data contracts (stocktake/tools/contracts/): what ``contract init`` writes and how a check runs."""

    min_rows_factor: float = 0.5  # a written contract wants at least this share of today's rows...
    max_rows_factor: float = 2.0  # ... and at most this multiple of them
    freshness_slack_days: float = 1.0  # the newest date may grow this much older than it is today
    max_allowed_values: int = 50  # a category column with more distinct values gets no list of them
    examples: int = 5  # breaking rows shown per failing check
    max_file_bytes: int = 1 << 20  # a contract file is read only up to this size
    timeout_s: float = 60.0  # per query of a check


@dataclass(frozen=True)
class DriftSettings:
    """How ``stocktake diff`` judges what changed between two versions (stocktake/tools/drift/). The test of each
    column is the one Evidently's defaults choose, with its thresholds."""

    small_reference_values: int = 1_000  # up to this many reference values: p-value tests; beyond: distances
    p_value: float = 0.05  # a p-value test's significance (95% confidence)
    distance: float = 0.1  # a normalised Wasserstein or Jensen-Shannon distance at or above this: drifted
    numeric_min_values: int = 5  # a numeric column with more distinct values gets Kolmogorov-Smirnov / Wasserstein
    binary_max_values: int = 2  # ... one with at most this many, a Z-test (small reference)
    integer_category_max_distinct: int = 10  # an integer column with at most this many distinct values is a category
    text_max_distinct_share: float = 0.5  # text whose distinct values pass this share of its values: not tested
    max_categories: int = 10_000  # text with more distinct values is not tested either (its counts are not kept)
    chi_squared: str = "homogeneity"  # the two-sample test; "goodness_of_fit": Evidently's (see drift/stattests.py)
    chi_min_expected: float = 5.0  # values expected fewer times in the smaller version are pooled (chi-squared)
    distance_min_expected: float = 100.0  # ... for Jensen-Shannon (fewer, and two samples land 0.1 apart by chance)
    sample_values: int = 50_000  # a numeric column with more values is tested on a fixed-seed sample of as many rows
    seed: int = 0
    drift_share: float = 0.5  # the dataset drifted when at least this share of its tested columns drifted
    null_rate_change: float = 0.05  # a null rate that moved this much, and significantly (p_value), is flagged
    rename_null_gap: float = 0.02  # a renamed-looking column keeps its null rate within this
    rename_distinct_gap: float = 0.1  # ... its distinct count within this share
    rename_mean_gap: float = 0.1  # ... and its mean within this many standard deviations


# Evidently's defaults exactly: its goodness-of-fit chi-squared and no pooling of rare values (the bench compares)
EVIDENTLY_DRIFT = DriftSettings(chi_squared="goodness_of_fit", chi_min_expected=0.0, distance_min_expected=0.0)


def _switch(value: Any) -> Any:
    """``0``, ``false`` and ``no`` (any case) turn a switch off; any other text leaves it on."""
    return value.lower() not in ("0", "false", "no") if isinstance(value, str) else value


class GuardSettings(EnvSettings):
    # personal data in values is masked before a model or a user sees it
    mask_pii: Annotated[bool, BeforeValidator(_switch)] = Field(True, validation_alias="STOCKTAKE_MASK_PII")
    max_value_chars: int = 80
    mask_max_chars: int = 10_000  # text is cut to this before masking, which bounds its cost
    sql_row_limit: int = 200
    sql_timeout_s: float = 10.0
    sql_memory_limit: str = "1GB"  # DuckDB's limit for one query (it spills to its temp folder beyond)
    sql_temp_limit: str = "2GB"  # what a query may spill to disk
    sql_max_cell_chars: int = 2_000  # longer text (and nested values shown as text) is cut inside DuckDB
    sql_max_result_bytes: int = 4_000_000  # rows beyond this many bytes of values are cut


class BoundSettings(EnvSettings):
    """Settings that are limits, each with its own environment variable named in the error that hits it."""

    def limit(self, name: str, unit: str = "") -> str:
        """``the limit is 1,000 rows; set STOCKTAKE_INGEST_MAX_ROWS to raise the limit``, for error messages."""
        value = getattr(self, name)
        shown = byte_size(value) if unit == "bytes" else f"{value:,}" if isinstance(value, int) else f"{value:g}"
        return f"the limit is {shown}{' ' + unit if unit and unit != 'bytes' else ''}; {self.hint(name)}"

    def hint(self, name: str) -> str:
        return f"set {type(self).model_fields[name].validation_alias} to raise the limit"


class IngestSettings(BoundSettings):
    """Bounds on what one ingest reads (stocktake/tools/ingest*.py): every source file is untrusted input."""

    # a file's size, and what it expands to (gzip, the parts of an xlsx, Parquet pages)
    max_bytes: int = Field(1 << 30, gt=0, validation_alias="STOCKTAKE_INGEST_MAX_BYTES")
    max_rows: int = Field(20_000_000, gt=0, validation_alias="STOCKTAKE_INGEST_MAX_ROWS")
    max_columns: int = Field(10_000, gt=0, validation_alias="STOCKTAKE_INGEST_MAX_COLUMNS")
    # one value: a missing quote or delimiter can make a whole file one field
    max_field_chars: int = Field(1_000_000, gt=0, validation_alias="STOCKTAKE_INGEST_MAX_FIELD_CHARS")
    # per table or view: a recursive view may never end
    sqlite_timeout_s: float = Field(60.0, gt=0, validation_alias="STOCKTAKE_INGEST_TIMEOUT_S")


class SourceSettings(BoundSettings):
    """Bounds on reading a live source (stocktake/tools/sources/): the other side may be slow, huge or hostile."""

    # one statement on a database, one request to an API
    timeout_s: float = Field(60.0, gt=0, validation_alias="STOCKTAKE_SOURCE_TIMEOUT_S")
    connect_timeout_s: float = Field(10.0, gt=0, validation_alias="STOCKTAKE_SOURCE_CONNECT_TIMEOUT_S")
    max_pages: int = Field(1_000, gt=0, validation_alias="STOCKTAKE_SOURCE_MAX_PAGES")  # an API's page cap
    retries: int = Field(4, ge=0, validation_alias="STOCKTAKE_SOURCE_RETRIES")  # on 429 and 5xx
    backoff_s: float = Field(1.0, ge=0, validation_alias="STOCKTAKE_SOURCE_BACKOFF_S")  # doubled each retry
    max_line_bytes: int = Field(1 << 20, gt=0, validation_alias="STOCKTAKE_SOURCE_MAX_LINE_BYTES")  # a log line
    # what one read brings in: all responses of an API, all log text after decompression
    max_bytes: int = Field(1 << 30, gt=0, validation_alias="STOCKTAKE_SOURCE_MAX_BYTES")
    max_columns: int = Field(10_000, gt=0, validation_alias="STOCKTAKE_SOURCE_MAX_COLUMNS")  # keys of JSON records
    # one API response, as it expands (gzip)
    max_response_bytes: int = Field(64 << 20, gt=0, validation_alias="STOCKTAKE_SOURCE_MAX_RESPONSE_BYTES")


def byte_size(n: int) -> str:
    """``1.5 GB``, ``300 KB``, ``12 bytes``."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:,} bytes"


@dataclass(frozen=True)
class Settings:
    llm: LLMSettings = field(default_factory=LLMSettings)
    profile: ProfileSettings = field(default_factory=ProfileSettings)
    drift: DriftSettings = field(default_factory=DriftSettings)
    guard: GuardSettings = field(default_factory=GuardSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    sources: SourceSettings = field(default_factory=SourceSettings)
    contracts: ContractSettings = field(default_factory=ContractSettings)


def resolve_workspace(path: str | Path | None = None) -> Path:
    """``--workspace`` first, then ``STOCKTAKE_HOME``, then ``./stocktake-workspace``."""
    chosen = path or os.environ.get("STOCKTAKE_HOME") or DEFAULT_WORKSPACE
    return Path(chosen).expanduser().resolve()
