"""Data contracts: what every version of an asset must hold, checked as each new version arrives.

Code outside this package imports from here. ``model`` is the contract (a strict pydantic model) and ``files``
reads and writes it as YAML in the workspace; ``generate`` writes a first one from an asset's profile;
``checks`` turns it into SQL conditions and ``evaluate`` runs them over the latest version's snapshot;
``results`` are what a check found, kept per asset version in the catalog database.
"""

from __future__ import annotations

from stocktake.tools.contracts.evaluate import evaluate_contract
from stocktake.tools.contracts.files import contract_path, contract_text, parse_contract, read_contract, text_hash
from stocktake.tools.contracts.generate import generate_contract
from stocktake.tools.contracts.model import ColumnContract, Contract, Freshness, Reference, RowBounds
from stocktake.tools.contracts.results import (ERROR, FAIL, PASS, SKIPPED, CheckResult, ContractResult,
                                               record_written, save_result, stored_results, written_hash)

__all__ = [
    "ColumnContract", "Contract", "Freshness", "Reference", "RowBounds",
    "contract_path", "contract_text", "parse_contract", "read_contract", "text_hash",
    "generate_contract", "evaluate_contract",
    "ERROR", "FAIL", "PASS", "SKIPPED", "CheckResult", "ContractResult",
    "record_written", "save_result", "stored_results", "written_hash",
]
