"""Which columns hold money and quantities: revenue as a price times a quantity, or a money column of its own."""

from __future__ import annotations

from stocktake.tools.ask.measure_spec import FACT_KINDS
from stocktake.tools.ask.model import Col, Derived, Measure
from stocktake.tools.ask.schema import AssetInfo, ColumnInfo, SchemaIndex
from stocktake.tools.ask.vocab import PRICE_NAME_WORDS, QUANTITY_NAME_WORDS


# ---- money ---------------------------------------------------------------------------------------------------
def money_measure(schema: SchemaIndex, agg: str, candidates: list[str],
                  derived: bool = True) -> tuple[Measure, str, str] | None:
    """The money measure on the first candidate asset that has one: quantity × unit price, else its money
    column. Returns (measure, asset, note)."""
    for name in candidates:
        info = schema.assets[name]
        qty, price = _quantity_column(info), _unit_price_column(info)
        if derived and qty is not None and price is not None:
            derived = Derived(name="revenue", op="*", left=Col(asset=name, column=qty.name),
                              right=Col(asset=name, column=price.name))
            note = f"I read revenue as {qty.name} × {price.name} ({name})"
            return Measure(agg=agg, derived=derived), name, note
        money = _money_column(info)
        if money is not None:
            return (Measure(agg=agg, column=Col(asset=name, column=money.name)), name,
                    f"I read the amount as {money.name} ({name})")
    return None


def quantity_measure(schema: SchemaIndex, agg: str, candidates: list[str]) -> tuple[Measure, str, str] | None:
    """Units sold: a quantity column of a table of sales (a product's photo or stock count sells nothing),
    else, for a total, the sales lines themselves, one unit each."""
    sales = [n for n in candidates if schema.assets[n].kind in ("order_items", "orders", "events", "other")]
    for name in sales:
        qty = _quantity_column(schema.assets[name])
        if qty is not None:
            return (Measure(agg=agg, column=Col(asset=name, column=qty.name)), name,
                    f"I read the number of units as {qty.name} ({name})")
    lines = next((n for n in sales if schema.assets[n].kind == "order_items"), None)
    if lines is not None and agg == "sum":
        return (Measure(agg="count"), lines, f"{lines} has no quantity column, so I counted its lines, one unit each")
    return None


def money_assets(schema: SchemaIndex, preferred: list[str]) -> list[str]:
    """Assets to look for money in: a named fact table first, then those with quantity × unit price, then fact
    tables by kind (order lines before orders); a product's list price is revenue of nothing, so products last."""
    def rank(a: AssetInfo) -> tuple:
        derived = _quantity_column(a) is not None and _unit_price_column(a) is not None
        return (a.kind == "products", a.name not in preferred, not derived,
                FACT_KINDS.index(a.kind) if a.kind in FACT_KINDS else 9, -a.rows)

    return [a.name for a in sorted(schema.assets.values(), key=rank)]


def _quantity_column(info: AssetInfo) -> ColumnInfo | None:
    return next((c for c in info.columns if c.numeric and (c.semantic == "quantity" or set(c.words) &
                                                           QUANTITY_NAME_WORDS) and not c.id_like), None)


def _unit_price_column(info: AssetInfo) -> ColumnInfo | None:
    prices = [c for c in info.columns if c.numeric and c.semantic == "price" and "total" not in c.words]
    return next((c for c in prices if "unit" in c.words or "price" in c.words), None)


def _money_column(info: AssetInfo) -> ColumnInfo | None:
    money = [c for c in info.columns if c.numeric and (c.semantic == "price" or set(c.words) & PRICE_NAME_WORDS)
             and not c.id_like]
    # payment_value before payment_sequential: a money word in the name, not only "payment" (a count of them)
    ranked = sorted(money, key=lambda c: (not set(c.words) & (PRICE_NAME_WORDS - {"payment"}),
                                          not ({"total", "amount", "payment", "revenue"} & set(c.words)),
                                          "freight" in c.words))
    return ranked[0] if ranked else None
