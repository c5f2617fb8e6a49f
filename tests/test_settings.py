"""Settings read from the environment: exactly the variables that name a field, nothing else."""

from __future__ import annotations

import pytest

from stocktake.settings import GuardSettings, IngestSettings, LLMSettings, Settings

VARIABLES = {
    LLMSettings: {"STOCKTAKE_LLM_BASE_URL", "STOCKTAKE_LLM_MODEL", "STOCKTAKE_LLM_API_KEY"},
    GuardSettings: {"STOCKTAKE_MASK_PII"},
    IngestSettings: {"STOCKTAKE_INGEST_MAX_BYTES", "STOCKTAKE_INGEST_MAX_ROWS", "STOCKTAKE_INGEST_MAX_COLUMNS",
                     "STOCKTAKE_INGEST_MAX_FIELD_CHARS", "STOCKTAKE_INGEST_TIMEOUT_S"},
}


@pytest.mark.parametrize("kind", list(VARIABLES), ids=lambda kind: kind.__name__)
def test_each_settings_class_reads_only_its_named_variables(kind):
    named = {f.validation_alias for f in kind.model_fields.values() if f.validation_alias}
    assert named == VARIABLES[kind]


def test_a_field_without_a_variable_is_not_read_from_the_environment(monkeypatch):
    for name in ("timeout_s", "TIMEOUT_S", "STOCKTAKE_LLM_TIMEOUT_S", "max_steps", "sql_row_limit"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("stocktake_llm_model", "lower-case")  # names match case-sensitively
    assert LLMSettings() == LLMSettings(timeout_s=120.0, max_steps=12, model="Qwen/Qwen2.5-7B-Instruct")
    assert GuardSettings().sql_row_limit == 200


def test_a_value_given_in_code_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("STOCKTAKE_LLM_MODEL", "from-env")
    assert (LLMSettings().model, LLMSettings(model="given").model, Settings().llm.model) == (
        "from-env", "given", "from-env")


@pytest.mark.parametrize("value, masked", [("0", False), ("FALSE", False), ("no", False), ("off", True), ("", True)])
def test_only_0_false_and_no_turn_masking_off(monkeypatch, value, masked):
    monkeypatch.setenv("STOCKTAKE_MASK_PII", value)
    assert GuardSettings().mask_pii is masked


def test_a_bad_value_given_in_code_is_a_validation_error_not_a_variables_message():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        IngestSettings(max_rows="many")
