"""The planner's fixed vocabulary: English words for measures, groups, order and time, and the e-commerce nouns
that name rows. Everything specific to one catalog (asset, column and value names) comes from the catalog.
"""

from __future__ import annotations

from functools import lru_cache

from stocktake.tools.ask.text import IRREGULAR

GENERIC_NAME_WORDS = frozenset({"olist", "dataset", "data", "table", "csv", "tbl", "dim", "fact", "raw", "u",
                                "ua", "ub", "sample", "head", "stg", "export", "full", "train", "test"})

# Words that name one row of an asset of each kind (as roots). The asset's own name words come first.
KIND_ENTITIES = {
    "users": ("user", "customer", "client", "buyer", "shopper", "member", "account", "reviewer", "rater",
              "purchaser", "visitor"),
    "products": ("product", "item", "article", "sku", "good", "movie", "film"),
    "orders": ("order", "purchase", "transaction", "checkout", "sale"),
    "order_items": ("order line", "line item", "order item", "line", "basket", "order position"),
    "events": ("event", "click", "view", "log", "activity", "interaction", "behaviour", "behavior", "clickstream"),
    "reviews": ("review", "rating", "feedback", "comment", "reviewer"),
    "other": (),
}

# Typed words and abbreviations that stand for another word in names and values (as roots).
SYNONYMS = {
    "qty": "quantity", "qt": "quantity", "amt": "amount", "nbr": "number", "num": "number",
    "descr": "description", "categ": "category", "dt": "date",
    "ts": "timestamp", "addr": "address", "tel": "phone", "telephone": "phone", "mobile": "phone",
    "mail": "email", "e-mail": "email", "zipcode": "zip", "postcode": "zip", "postal": "zip",
    "buy": "purchase", "bought": "purchase", "canceled": "cancelled",
    "favourite": "fav", "favorite": "fav", "pageview": "pv", "carted": "cart", "basket": "cart",
    "film": "movie", "movie": "movie", "cost": "price", "priced": "price", "stars": "star", "genres": "genre",
    "country": "country", "nation": "country", "town": "city", "province": "state", "region": "state",
    "client": "customer", "shopper": "customer", "buyer": "customer", "vendor": "seller", "merchant": "seller",
    "supplier": "seller", "sku": "product", "article": "product",
}

# The first word of an id column that says which thing it names, when the thing has no table of its own:
# a lines table's StockCode is its products, its InvoiceNo its orders.
ID_NOUNS = {"stock": ("product", "item"), "article": ("product", "item"), "invoice": ("order", "transaction"),
            "basket": ("order",), "session": ("visit",)}

# Money: what "revenue", "sales", "spend" are measured in.
MONEY_WORDS = frozenset({"revenue", "sale", "sales", "turnover", "gmv", "spend", "spent", "spending", "money",
                         "income", "earning", "earnings", "takings", "value", "worth", "paid", "pay", "payment",
                         "cost", "price", "amount", "total", "expensive", "cheap", "cheapest", "pricey"})
REVENUE_WORDS = frozenset({"revenue", "sale", "sales", "turnover", "gmv", "income", "earning", "earnings", "takings",
                           "spend", "spent", "spending", "worth", "spender", "spenders", "money"})
QUANTITY_WORDS = frozenset({"quantity", "unit", "units", "piece", "pieces", "volume"})
PRICE_NAME_WORDS = frozenset({"price", "amount", "total", "value", "cost", "payment", "revenue", "paid", "fee",
                              "freight", "subtotal"})
QUANTITY_NAME_WORDS = frozenset({"quantity", "qty", "units", "count", "pieces", "number"})
UNIT_PRICE_WORDS = frozenset({"unit", "price", "unitprice"})


# Common verbs whose coarse root would be a data word's: "come" and "comment" would both be "com".
UNSTEMMED = {"come": "come", "comes": "come", "came": "come", "coming": "come"}


@lru_cache(maxsize=50_000)
def root(word: str) -> str:
    """A coarse word root for matching question words against names and values, the same for every inflection:
    "delivery", "delivered" and "deliveries" -> "deliver"; "shipping", "shipped" -> "ship"; "bought",
    "purchases" -> "purchas"; "cancelled", "cancellation" -> "cancel"."""
    w = word.lower()
    if w in UNSTEMMED:
        return UNSTEMMED[w]
    w = SYNONYMS.get(IRREGULAR.get(w, w), IRREGULAR.get(w, w))
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 2:
            w = w[: -len(suffix)] + repl
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
    w = SYNONYMS.get(w, w)  # "films" is "film" is "movie"
    if w.endswith("ation") and len(w) > 7:  # cancellation -> cancel; creation -> creat, as created
        w = w[:-5] if len(w) - 5 > 3 else w[:-3]
    for suffix, repl, shortest in (("ation", "", 3), ("ment", "", 3), ("ing", "", 3), ("ery", "er", 3),
                                   ("ed", "", 3), ("al", "", 4), ("ly", "", 4)):
        if w.endswith(suffix) and len(w) - len(suffix) >= shortest:
            w = w[: -len(suffix)] + repl
            break
    if w.endswith("ie") and len(w) > 4:  # movie and movies (-> movy) meet
        w = w[:-2] + "y"
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


def entity_words_for(kind: str, name_words: tuple[str, ...]) -> tuple[str, ...]:
    """Roots of the words naming one row of an asset: its own name's words, then its kind's nouns."""
    own = " ".join(root(w) for w in name_words)
    kind_words = tuple(" ".join(root(p) for p in w.split()) for w in KIND_ENTITIES.get(kind, ()))
    return tuple(dict.fromkeys(((own,) if own else ()) + kind_words))


# Words for the values of common coded columns: "women" finds F or female in a gender column.
VALUE_SYNONYMS = {
    "women": ("f", "female", "woman", "w"), "woman": ("f", "female", "woman", "w"), "female": ("f", "female", "w"),
    "females": ("f", "female"), "girls": ("f", "female"), "ladies": ("f", "female"),
    "men": ("m", "male", "man"), "man": ("m", "male", "man"), "male": ("m", "male"), "males": ("m", "male"),
    "guys": ("m", "male"),
    "bought": ("buy", "purchase", "purchased", "order"), "purchases": ("buy", "purchase"),
    "purchased": ("buy", "purchase"), "buys": ("buy", "purchase"),
    "views": ("pv", "view", "page view", "pageview"), "viewed": ("pv", "view"), "pageviews": ("pv", "pageview"),
    "favourites": ("fav", "favorite", "favourite"), "favorites": ("fav", "favorite", "favourite"),
    "favourited": ("fav",), "favorited": ("fav",), "carts": ("cart",), "carted": ("cart",),
    "clicks": ("click",), "clicked": ("click",), "page views": ("pv", "view", "page view"),
    "page view": ("pv", "view"), "add to cart": ("cart",), "added to cart": ("cart",), "add to carts": ("cart",),
    "favs": ("fav",), "likes": ("fav", "like"), "liked": ("fav", "like"),
}
