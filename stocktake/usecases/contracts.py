"""Data contracts: write a first one from an asset's profile, show it with the results kept per version, check the
latest version against it; and check every new version as it is made (ingest, sync, a finished cleaning).

A contract lives in the workspace as ``contracts/ASSET.yaml``; the user edits it. ``init_contract`` never writes
over an edited one unless forced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from stocktake.catalog import file_hash, now_iso
from stocktake.errors import Remedy, StocktakeError
from stocktake.tools.contracts import (FAIL, CheckResult, Contract, ContractResult, contract_path, contract_text,
                                       evaluate_contract, generate_contract, read_contract, record_written,
                                       save_result, stored_results, written_hash)
from stocktake.usecases import profiling
from stocktake.usecases.services import Services

HEADER = """The data contract of {asset}, written from version {version} on {day}: what every new version must hold.
Edit it to say what you expect. `stocktake check {asset}` checks the latest version; each new version (ingest
--replace, sync, a finished cleaning) is checked as it is made. Keys: rows (min, max), freshness (column,
max_age_days), allow_extra_columns, and per column: type, not_null, unique, min, max, allowed_values,
references (asset, column, min_coverage). Dates have a lower bound only: new versions bring newer ones.
"""


@dataclass(frozen=True)
class ContractFile:
    asset: str
    path: Path
    contract: Contract
    text: str
    results: tuple[ContractResult, ...] = ()  # kept per version, oldest first

    def to_dict(self) -> dict:
        return {"asset": self.asset, "path": str(self.path), "contract": self.contract.model_dump(mode="json"),
                "results": [r.to_dict() for r in self.results]}


def init_contract(services: Services, name: str, *, force: bool = False) -> ContractFile:
    """Write the contract that the asset's latest version meets, from its profile; an edited contract is only
    overwritten with ``force``."""
    asset = services.asset(name)
    path = contract_path(services.catalog.ws, asset.name)
    if path.is_file() and not force and file_hash(path) != written_hash(services.catalog.ws, asset.name):
        raise StocktakeError(f"{path} was edited since it was written, so it is kept:", Remedy("overwrite"),
                             asset=asset.name, file=str(path))
    profile = profiling.profile(services, asset.name)
    relations = profiling.relationships(services, asset.name, outgoing=True)
    contract = generate_contract(services.catalog, profile, relations, services.personal_columns(asset.name),
                                 settings=services.settings.contracts)
    header = HEADER.format(asset=asset.name, version=asset.version, day=dt.date.today().isoformat())
    text = contract_text(contract, header)
    with services.catalog.ws.writing():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    record_written(services.catalog.ws, asset.name, text)
    return ContractFile(asset.name, path, contract, text)


def show_contract(services: Services, name: str) -> ContractFile:
    """The asset's contract as the file holds it, with the results kept for its versions."""
    asset = services.asset(name)
    contract, text, path = _read(services, asset.name)
    return ContractFile(asset.name, path, contract, text, stored_results(services.catalog, asset.name))


def check(services: Services, name: str | None = None) -> tuple[ContractResult, ...]:
    """Check the latest version of the asset (every asset with a contract by default) and keep the result."""
    names = [services.asset(name).name] if name else _with_contracts(services)
    if not names:
        raise StocktakeError("No asset has a contract yet:", Remedy("contract-init", asset="ASSET"))
    return tuple(_checked(services, n, _read(services, n)[0]) for n in names)


def check_new_version(services: Services, *names: str) -> tuple[ContractResult, ...]:
    """Check the new latest version of each asset that has a contract (the others are left alone) and keep the
    result; a contract that cannot be read is kept as that version's failure, never stops what made it."""
    found = []
    for name in names:
        path = contract_path(services.catalog.ws, name)
        if not path.is_file():
            continue
        try:
            contract = read_contract(path, name, services.settings.contracts)[0]
        except StocktakeError as exc:
            found.append(_unreadable(services, name, exc))
            continue
        found.append(_checked(services, name, contract))
    return tuple(found)


def _checked(services: Services, name: str, contract: Contract) -> ContractResult:
    result = evaluate_contract(services.catalog, contract, settings=services.settings.contracts)
    save_result(services.catalog.ws, result)
    return result


def _unreadable(services: Services, name: str, exc: StocktakeError) -> ContractResult:
    asset = services.asset(name)
    result = ContractResult(asset.name, asset.version, asset.current.content_hash, now_iso(),
                            (CheckResult("contract", None, FAIL, f"the contract cannot be read: {exc}"),))
    save_result(services.catalog.ws, result)
    return result


def _read(services: Services, name: str) -> tuple[Contract, str, Path]:
    path = contract_path(services.catalog.ws, name)
    if not path.is_file():
        raise StocktakeError(f"{name} has no contract yet:", Remedy("contract-init", asset=name), asset=name)
    contract, text = read_contract(path, name, services.settings.contracts)
    return contract, text, path


def _with_contracts(services: Services) -> list[str]:
    return [n for n in services.catalog.names() if contract_path(services.catalog.ws, n).is_file()]
