"""The data dictionary of the sample dataset: one Markdown page per table, written beside the CSV files.

These pages are indexed for retrieval, so each describes what a row is, every column, and what coded values
mean, the way a real data dictionary would.
"""

from __future__ import annotations

from pathlib import Path

from stocktake.tools import sample_vocab as V

TABLE_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "users": (
        "Registered customers of the shop, one row per customer account. Customers sign up on the web shop "
        "or in the mobile app; guest checkouts are not in this table.",
        {
            "user_id": "Unique identifier of the customer account (integer, primary key). Referenced by "
                       "orders.user_id, events.user_id and reviews.user_id.",
            "name": "Full name of the customer as entered at sign-up (first name and last name). Personal data.",
            "email": "Login and contact email address of the customer. Personal data; unique per account.",
            "signup_date": "Calendar date the account was created, in ISO format YYYY-MM-DD.",
            "country": "Country of the customer's default shipping address, in English "
                       f"({', '.join(V.COUNTRIES)}). Empty when the customer has not entered an address yet.",
            "city": "City of the customer's default shipping address.",
            "loyalty_tier": "Loyalty programme level, from lowest to highest: bronze, silver, gold, platinum. "
                            "Tiers are recomputed monthly from the last twelve months of spending.",
        },
    ),
    "products": (
        "The product catalogue: one row per product (SKU) offered in the shop, with its title, description, "
        "category, brand and current list price.",
        {
            "product_id": "Unique identifier of the product (integer, primary key). Referenced by "
                          "order_items.product_id, events.product_id and reviews.product_id.",
            "title": "Product title shown in search results and on the product page, e.g. brand, product line, "
                     "product type and a key attribute such as size or capacity.",
            "description": "Longer marketing description of the product shown on the product page. May be "
                           "empty for products still being onboarded.",
            "category": "Top-level catalogue category the product is listed under, one of: "
                        f"{', '.join(V.CATEGORIES)}. Drives navigation menus and category reports.",
            "brand": "Manufacturer or brand name of the product.",
            "price": "Current list price of one unit, in euros (EUR), including VAT. Always positive.",
        },
    ),
    "orders": (
        "Customer orders: one row per order placed in the shop (checkout). The items of an order are in "
        "order_items; the amounts are in euros.",
        {
            "order_id": "Unique identifier of the order (integer, primary key). Referenced by "
                        "order_items.order_id.",
            "user_id": "The customer who placed the order; foreign key to users.user_id.",
            "order_date": "Timestamp when the order was placed (checkout completed), YYYY-MM-DD HH:MM:SS, "
                          "shop local time.",
            "status": "Current fulfilment status of the order. Values: "
                      + "; ".join(f"'{k}' = {v}" for k, v in V.ORDER_STATUSES.items()) + ".",
            "payment_method": "How the customer paid: " + ", ".join(V.PAYMENT_METHODS)
                              + " (klarna = pay later by invoice). Empty when payment was not recorded.",
            "total_amount": "Total amount of the order in euros: the sum over its order_items of quantity "
                            "times unit_price, before shipping costs.",
        },
    ),
    "order_items": (
        "Order lines: one row per product within an order, with the quantity bought and the unit price "
        "paid at the time of the order.",
        {
            "order_item_id": "Unique identifier of the order line (integer, primary key).",
            "order_id": "The order this line belongs to; foreign key to orders.order_id. An order has one "
                        "or more lines.",
            "product_id": "The product bought; foreign key to products.product_id.",
            "quantity": "Number of units of the product bought in this line (a positive integer).",
            "unit_price": "Price paid for one unit in euros at the time of the order (may differ from the "
                          "current products.price).",
        },
    ),
    "events": (
        "Behaviour log (clickstream): one row per user interaction with a product on the web shop or app, "
        "grouped into browsing sessions. Used for funnels, recommendations and search relevance.",
        {
            "event_id": "Unique identifier of the event (integer, primary key), increasing with event_time.",
            "session_id": "Browsing session the event belongs to; a session is a run of events of one user "
                          "with no more than 30 minutes between them.",
            "user_id": "The signed-in user who triggered the event; foreign key to users.user_id.",
            "product_id": "The product the event is about; foreign key to products.product_id.",
            "event_type": "Kind of interaction: "
                          + "; ".join(f"'{k}' = {v}" for k, v in V.EVENT_TYPES.items()) + ".",
            "event_time": "Timestamp of the event, YYYY-MM-DD HH:MM:SS, shop local time.",
            "device": "Device class the event came from: mobile, desktop or tablet.",
        },
    ),
    "reviews": (
        "Product reviews written by customers: one row per review, with a star rating and optional text.",
        {
            "review_id": "Unique identifier of the review (integer, primary key).",
            "product_id": "The reviewed product; foreign key to products.product_id.",
            "user_id": "The customer who wrote the review; foreign key to users.user_id.",
            "rating": "Star rating from 1 (very bad) to 5 (excellent).",
            "review_text": "Free text of the review as written by the customer, in English. Empty for "
                           "rating-only reviews. May contain personal data the customer typed in.",
            "review_date": "Calendar date the review was published, YYYY-MM-DD.",
        },
    ),
}


def write_docs(folder: Path, columns: dict[str, list[str]]) -> dict[str, Path]:
    """Write ``<table>.md`` for each table; every column of the table must be documented."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table, cols in columns.items():
        summary, described = TABLE_DOCS[table]
        lines = [f"# {table}", "", summary, "", f"File: `{table}.csv` (comma-separated, UTF-8, header row).", "",
                 "## Columns", "", "| column | description |", "|---|---|"]
        lines += [f"| `{c}` | {described[c]} |" for c in cols]
        paths[table] = folder / f"{table}.md"
        paths[table].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths
