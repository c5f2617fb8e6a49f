"""The datasets of the question evaluation: how a user ingests each one, and how pandas reads the same source.

One definition serves both sides on purpose: the workspace is built with Stocktake exactly as a user would
(``stocktake ingest``, ``stocktake docs add``, ``stocktake recommend train``), while the expected answers come
from pandas reading the *source files* with the read options written here, never from Stocktake's snapshots.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

ML_GENRES = ("unknown", "action", "adventure", "animation", "childrens", "comedy", "crime", "documentary",
             "drama", "fantasy", "film_noir", "horror", "musical", "mystery", "romance", "sci_fi", "thriller",
             "war", "western")
ML_GENRE_NAMES = {"childrens": "Children's", "film_noir": "Film-Noir", "sci_fi": "Sci-Fi"} | \
    {g: g.capitalize() for g in ML_GENRES if g not in ("childrens", "film_noir", "sci_fi")}
ML_ITEM_COLUMNS = ("movie_id", "title", "release_date", "video_release_date", "imdb_url", *ML_GENRES)


@dataclass(frozen=True)
class Table:
    """One asset: the file it comes from, how a user ingests it, and how pandas reads it for the truth."""
    asset: str
    file: str  # relative to the dataset's data folder
    read: dict = field(default_factory=dict)  # pandas.read_csv keyword arguments
    dates: tuple[str, ...] = ()  # parsed with pandas.to_datetime (unparseable values become NaT)
    epoch: tuple[str, ...] = ()  # unix seconds, read as naive UTC timestamps
    columns: tuple[str, ...] | None = None  # given on ingest (--no-header --columns)
    kind: str | None = None  # given on ingest (--kind)


@dataclass(frozen=True)
class Dataset:
    name: str
    tables: tuple[Table, ...]
    source: str | None = None  # folder under the shared data; None: the generated sample shop
    seed: int | None = None
    ingest_folder: bool = False  # ingest the whole folder at once (asset names from file stems)
    docs: tuple[str, ...] = ()  # doc files or folders, relative to the data folder
    models: tuple[dict, ...] = ()  # recommenders trained before the questions (something to refuse deleting)

    def table(self, asset: str) -> Table:
        for t in self.tables:
            if t.asset == asset:
                return t
        raise KeyError(f"dataset {self.name} has no table {asset!r}; it has {[t.asset for t in self.tables]}")


def _shop(name: str, seed: int) -> Dataset:
    def csv(asset: str, dates: tuple[str, ...] = ()) -> Table:
        return Table(asset, f"{asset}.csv", dates=dates)

    return Dataset(
        name, seed=seed, docs=("docs",),
        tables=(csv("users", ("signup_date",)), csv("products"), csv("orders", ("order_date",)),
                csv("order_items"), csv("events", ("event_time",)), csv("reviews", ("review_date",))),
        models=({"asset": "events", "user": "user_id", "item": "product_id", "models": ("pop",)},),
    )


def _olist() -> Dataset:
    ids = {c: str for c in ("order_id", "customer_id", "customer_unique_id", "product_id", "seller_id",
                            "review_id", "customer_zip_code_prefix", "seller_zip_code_prefix",
                            "geolocation_zip_code_prefix")}

    def csv(stem: str, dates: tuple[str, ...] = ()) -> Table:
        return Table(stem, f"{stem}.csv", read={"dtype": ids}, dates=dates)

    return Dataset(
        "olist", source="olist-ecommerce-sample", ingest_folder=True, docs=("DATA_DICTIONARY.md",),
        tables=(
            csv("olist_customers_dataset"), csv("olist_geolocation_dataset"),
            csv("olist_order_items_dataset", ("shipping_limit_date",)), csv("olist_order_payments_dataset"),
            csv("olist_order_reviews_dataset", ("review_creation_date", "review_answer_timestamp")),
            csv("olist_orders_dataset", ("order_purchase_timestamp", "order_approved_at",
                                         "order_delivered_carrier_date", "order_delivered_customer_date",
                                         "order_estimated_delivery_date")),
            csv("olist_products_dataset"), csv("olist_sellers_dataset"), csv("product_category_name_translation"),
        ),
    )


def _ml100k() -> Dataset:
    ratings = ("user_id", "item_id", "rating", "timestamp")
    users = ("user_id", "age", "gender", "occupation", "zip_code")
    return Dataset(
        "ml100k", source="movielens-100k", docs=("README",),
        tables=(
            Table("u_data", "u.data", read={"sep": "\t", "header": None, "names": ratings}, epoch=("timestamp",),
                  columns=ratings, kind="events"),
            Table("u_item", "u.item", read={"sep": "|", "header": None, "names": ML_ITEM_COLUMNS,
                                             "encoding": "latin-1"}, dates=("release_date",),
                  columns=ML_ITEM_COLUMNS),
            Table("u_user", "u.user", read={"sep": "|", "header": None, "names": users,
                                             "dtype": {"zip_code": str}}, columns=users),
        ),
        models=({"asset": "u_data", "user": "user_id", "item": "item_id", "models": ("pop",)},),
    )


def _retail() -> Dataset:
    return Dataset("retail", source="uci-online-retail-sample", tables=(
        Table("online_retail_sample", "online_retail_sample.csv",
              read={"dtype": {"InvoiceNo": str, "StockCode": str}}, dates=("InvoiceDate",)),
    ))


def _diginetica() -> Dataset:
    return Dataset("diginetica", source="diginetica-cikm2016", ingest_folder=True, tables=(
        Table("train_purchases", "train-purchases.csv", read={"sep": ";", "na_values": ["NA"]},
              dates=("eventdate",)),
        Table("product_categories", "product-categories.csv", read={"sep": ";"}),
    ))


def _taobao() -> Dataset:
    columns = ("user_id", "item_id", "category_id", "behavior_type", "timestamp")
    return Dataset("taobao", source="taobao-userbehavior-head", tables=(
        Table("UserBehavior_head", "UserBehavior_head.csv", read={"header": None, "names": columns},
              epoch=("timestamp",), columns=columns, kind="events"),
    ))


def _mlsmall() -> Dataset:
    return Dataset("mlsmall", source="movielens-latest-small", ingest_folder=True, docs=("README.txt",), tables=(
        Table("ratings", "ratings.csv", epoch=("timestamp",)),
        Table("movies", "movies.csv"),
        Table("tags", "tags.csv", epoch=("timestamp",)),
        Table("links", "links.csv", read={"dtype": {"imdbId": str}}),
    ))


def _single(name: str, source: str, table: Table) -> Dataset:
    """A folder with one data file, ingested on its own, and its PROVENANCE.md indexed as the docs."""
    return Dataset(name, source=source, docs=("PROVENANCE.md",), tables=(table,))


def _cdnow() -> Dataset:
    # Whitespace-separated, fixed width; ids keep their leading zeros, dates are compact YYYYMMDD.
    return _single("cdnow", "cdnow-transactions", Table(
        "CDNOW_master", "CDNOW_master.txt", read={"sep": r"\s+", "dtype": {"customer_id": str, "date": str}},
        dates=("date",)))


def _clothing() -> Dataset:
    return _single("clothing", "womens-clothing-reviews",
                   Table("womens_clothing_ecommerce_reviews", "womens_clothing_ecommerce_reviews.csv"))


def _alexa() -> Dataset:
    # TAB-separated with a UTF-8 byte-order mark; dates like 31-Jul-18.
    return _single("alexa", "amazon-alexa-reviews", Table(
        "amazon_alexa", "amazon_alexa.tsv", read={"sep": "\t", "encoding": "utf-8-sig"}, dates=("date",)))


def _flipkart() -> Dataset:
    return _single("flipkart", "flipkart-products-1050", Table(
        "flipkart_com_ecommerce_sample_1050", "flipkart_com-ecommerce_sample_1050.csv", dates=("crawl_timestamp",)))


def _pricerunner() -> Dataset:
    return _single("pricerunner", "pricerunner-product-titles",
                   Table("pricerunner_aggregate", "pricerunner_aggregate.csv"))


DATASETS: dict[str, Dataset] = {d.name: d for d in (
    _shop("shop0", 0), _shop("shop11", 11), _olist(), _ml100k(), _retail(), _diginetica(), _taobao(), _mlsmall(),
    _cdnow(), _clothing(), _alexa(), _flipkart(), _pricerunner(),
)}


@dataclass(frozen=True)
class Source:
    """A dataset's files on disk: the shared folder, or the sample shop generated for this run."""
    dataset: Dataset
    data_dir: Path

    def frame(self, asset: str) -> pd.DataFrame:
        return _read(self.data_dir, self.dataset.name, asset).copy()

    def problems(self) -> list[dict]:
        path = self.data_dir / "answers" / "problems.json"
        if not path.is_file():
            raise KeyError(f"dataset {self.dataset.name} has no answers/problems.json (only the sample shop has)")
        return json.loads(path.read_text())["problems"]


@cache
def _read(data_dir: Path, dataset: str, asset: str) -> pd.DataFrame:
    table = DATASETS[dataset].table(asset)
    frame = pd.read_csv(data_dir / table.file, **table.read)
    for column in table.dates:
        frame[column] = pd.to_datetime(frame[column], errors="coerce", format="mixed")
        if frame[column].dt.tz is not None:  # '2016-04-30 03:22:56 +0000': compared as naive UTC, like epochs
            frame[column] = frame[column].dt.tz_convert(None)
    for column in table.epoch:
        frame[column] = pd.to_datetime(frame[column], unit="s")
    return frame
