"""A step's parameters as people type them, one ``key=value`` each: the CLI's ``--param`` options and the
cleaning tab's parameter box are read by the same function, and checked by the same ``Step.validate``.

A value is JSON where it parses (``2``, ``null``, ``["a", "b"]``, ``{"home": "Home"}``), else text, its surrounding
spaces trimmed (quote it as JSON to keep them): data, never code.
"""

from __future__ import annotations

import json

from stocktake.errors import ParameterError, Remedy


def parse_params(pairs: list[str] | None) -> dict:
    """``["min=0", "action=cap", 'columns=["a"]']`` as ``{"min": 0, "action": "cap", "columns": ["a"]}``."""
    params = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError((Remedy("param", pair=f"'{pair}'"), " is not key=value,"),
                                 ("for example ", Remedy("param", pair="value=unknown")), field=key.strip() or pair,
                                 valid="key=value")
        try:
            params[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[key.strip()] = raw.strip()
    return params


def param_lines(params: dict) -> list[str]:
    """Parameters as ``key=value`` lines that ``parse_params`` reads back as they are (a text that would read as
    JSON, such as "2", is quoted)."""
    return [f"{key}={_typed(value)}" for key, value in params.items()]


def _typed(value) -> str:
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    try:
        json.loads(value)
    except json.JSONDecodeError:
        return value if value == value.strip() else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)
