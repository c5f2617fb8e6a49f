"""Typed settings: every threshold and default lives here, overridable by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_WORKSPACE = "stocktake-workspace"


@dataclass(frozen=True)
class LLMSettings:
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = "Qwen/Qwen2.5-7B-Instruct"
    api_key: str = "EMPTY"
    timeout_s: float = 120.0
    max_steps: int = 12

    @classmethod
    def from_env(cls) -> LLMSettings:
        return cls(
            base_url=os.environ.get("STOCKTAKE_LLM_BASE_URL", cls.base_url),
            model=os.environ.get("STOCKTAKE_LLM_MODEL", cls.model),
            api_key=os.environ.get("STOCKTAKE_LLM_API_KEY", cls.api_key),
        )


@dataclass(frozen=True)
class ProfileSettings:
    exact_distinct_limit: int = 1_000_000
    top_values: int = 10
    histogram_bins: int = 20
    missing_warn_fraction: float = 0.0
    max_key_combination: int = 2
    fk_min_coverage: float = 0.9
    examples: int = 3


@dataclass(frozen=True)
class GuardSettings:
    mask_pii: bool = True
    max_value_chars: int = 80
    sql_row_limit: int = 200
    sql_timeout_s: float = 10.0


@dataclass(frozen=True)
class Settings:
    llm: LLMSettings = field(default_factory=LLMSettings.from_env)
    profile: ProfileSettings = field(default_factory=ProfileSettings)
    guard: GuardSettings = field(default_factory=GuardSettings)


def resolve_workspace(path: str | Path | None = None) -> Path:
    """``--workspace`` first, then ``STOCKTAKE_HOME``, then ``./stocktake-workspace``."""
    chosen = path or os.environ.get("STOCKTAKE_HOME") or DEFAULT_WORKSPACE
    return Path(chosen).expanduser().resolve()
