"""Contract files: ``WORKSPACE/contracts/ASSET.yaml``, written by ``contract init`` and edited by the user.

A contract file is untrusted input. It is read up to a bounded size with ``yaml.safe_load`` only (a tag such as
``!!python/object`` is refused, never constructed), aliases are refused (a few lines of them can expand to
gigabytes), and every error is one line naming the file and the line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from stocktake.catalog import Workspace
from stocktake.errors import StocktakeError
from stocktake.settings import ContractSettings
from stocktake.tools.contracts.model import Contract


def contract_path(ws: Workspace, asset: str) -> Path:
    """Asset names are safe file names (stocktake.catalog.validate_name)."""
    return ws.dir("contracts") / f"{asset}.yaml"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_contract(path: Path, asset: str, settings: ContractSettings = ContractSettings()) -> tuple[Contract, str]:
    """The contract in ``path`` for ``asset``, and the file's text."""
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            raise StocktakeError(f"{path} is {size:,} bytes; a contract is read up to {settings.max_file_bytes:,}.",
                                 file=str(path))
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StocktakeError(f"{path} is not UTF-8 text (byte {exc.start:,}).", file=str(path)) from None
    except OSError as exc:
        raise StocktakeError(f"Cannot read {path} ({exc.strerror}).", file=str(path)) from None
    return parse_contract(text, str(path), asset), text


def parse_contract(text: str, where: str, asset: str) -> Contract:
    data = _safe_data(text, where)
    if not isinstance(data, dict):
        raise StocktakeError(f"{where}: a contract is a mapping of keys (asset, rows, columns…).", file=where)
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, text, where, data) from None
    if contract.asset != asset:
        raise StocktakeError(f"{where} line {_line(text, ('asset',))}: the contract is about {contract.asset}, "
                             f"not {asset}.", file=where)
    return contract


def contract_text(contract: Contract, header: str) -> str:
    """The contract as YAML after ``header`` (written as comment lines); only what differs from the defaults."""
    body = yaml.safe_dump(contract.model_dump(mode="python", exclude_defaults=True), sort_keys=False,
                          allow_unicode=True, width=120)
    return "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + body


def _safe_data(text: str, where: str) -> Any:
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise StocktakeError(f"{where}: aliases (*name) are not allowed in a contract; write the values out.",
                                 file=where)
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "constructor for the tag" in problem:
            problem = "a tag such as !!python/object is refused: a contract holds plain values only"
        raise StocktakeError(f"{where}{line}: {problem}.", file=where, row=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise StocktakeError(f"{where}: nested too deeply to be a contract.", file=where) from None


def _invalid(exc: ValidationError, text: str, where: str, data: dict) -> StocktakeError:
    """The first error in one line: where it is (line, key path, the column it is about) and what is wrong."""
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        inside = f" in {_path(loc[:-1], data)}" if len(loc) > 1 else ""
        problem = f"unknown key '{loc[-1]}'{inside}"
    else:
        message = error["msg"].removeprefix("Value error, ")
        problem = f"{_path(loc, data)}: {message}" if loc else message
    line = _line(text, loc)
    return StocktakeError(f"{where}{f' line {line}' if line else ''}: {problem}.", file=where, row=line)


def _path(loc: tuple, data: dict) -> str:
    """``columns[2] (status).unique``: a key path as the file reads, naming the column it is about."""
    out, node = "", data
    for key in loc:
        if isinstance(key, int):
            out += f"[{key}]"
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                out += f" ({node['name']})"
        else:
            out += f".{key}" if out else str(key)
            node = node.get(key) if isinstance(node, dict) else None
    return out


def _line(text: str, loc: tuple) -> int | None:
    """The 1-based line of the key path ``loc`` in ``text`` (composed, never constructed: no object is made)."""
    node, line = yaml.compose(text, Loader=yaml.SafeLoader), None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == key), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line
