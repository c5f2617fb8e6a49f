"""What an item or a row is called: the title a person recognises, beside the id or row number a model reports."""

from __future__ import annotations

TITLE_COLUMNS = ("title", "name", "product_name")  # what an item is called, in the asset that describes items


def title_column(columns: list[str]) -> str | None:
    return next((t for t in TITLE_COLUMNS if t in columns), None)


def item_titles(catalog, item_col: str | None, items: list[str]) -> dict[str, str]:
    """{item id: title} from the asset that holds both the item column and a title (products, usually)."""
    if not item_col or not items:
        return {}
    for asset in sorted(catalog.list_assets(), key=lambda a: a.kind != "products"):
        names = [c.name for c in asset.columns]
        title = title_column(names)
        if item_col in names and title:
            df = catalog.load(asset.name, columns=[item_col, title]).dropna().drop_duplicates(item_col)
            keys = df[item_col].astype(str)
            return dict(zip(keys[keys.isin(items)], df[title].astype(str)[keys.isin(items)]))
    return {}
