"""Prompt texts live here as files, so they can be read and edited without touching code."""

from __future__ import annotations

from importlib import resources


def read_prompt(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
