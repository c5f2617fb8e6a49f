"""What column and asset names say: their word tokens, whether a name is generic (``col_3``) or names an id, and
the names an asset's own key would have. Shared by the semantic types, personal data, keys and relations."""

from __future__ import annotations

import re

_GENERIC_NAME = re.compile(r"^(col|column|field|unnamed|var)_?\d+$", re.I)
_ID = {"id", "key", "uuid", "guid", "sku", "code", "ref"}


def tokens(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def is_generic_name(name: str) -> bool:
    return bool(_GENERIC_NAME.match(name))


def is_id_name(name: str) -> bool:
    toks = tokens(name)
    return bool(toks) and (toks[-1] in _ID or (len(toks) == 1 and toks[0].endswith("id") and len(toks[0]) > 2))


def key_names(asset: str) -> set[str]:
    """Column names that would be this asset's own key: ``id``, ``order_id`` for ``orders`` or
    ``olist_orders_dataset``, ``order_item_id`` for ``order_items``."""
    toks = tokens(asset)
    names = {"id"}
    for i, t in enumerate(toks):
        if t.endswith("s") and len(t) > 3:
            stem = t[:-3] + "y" if t.endswith("ies") else t[:-1]
            names.add(f"{stem}_id")
            if i > 0:
                names.add(f"{toks[i - 1]}_{stem}_id")
    return names
