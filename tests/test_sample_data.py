"""The sample dataset: deterministic, realistic, and its problems.json counts match the files exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.cli.main import app
from stocktake.errors import StocktakeError
from stocktake.tools.sample_data import PROBLEM_KINDS, TABLES, write_sample_data
from stocktake.tools.sample_vocab import CATEGORIES

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}")
PHONE = re.compile(r"\+?\(?\d{2,3}\)?[ .-]\d{2,4}[ .-]\d{3,4}")
PARENTS = {("orders", "user_id"): ("users", "user_id"), ("order_items", "product_id"): ("products", "product_id"),
           ("order_items", "order_id"): ("orders", "order_id"), ("events", "user_id"): ("users", "user_id"),
           ("events", "product_id"): ("products", "product_id"), ("reviews", "user_id"): ("users", "user_id"),
           ("reviews", "product_id"): ("products", "product_id")}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    result = write_sample_data(tmp_path_factory.mktemp("sample") / "data", seed=7)
    frames = {t: pd.read_csv(result.paths[t], keep_default_na=False, na_values=[""]) for t in TABLES}
    problems = json.loads(result.problems_path.read_text())["problems"]
    return result, frames, problems


def problem(problems, table, kind, column=None):
    hits = [p for p in problems if p["table"] == table and p["kind"] == kind and column in (None, p["column"])]
    return hits[0]["rows"] if hits else 0


def test_same_seed_writes_identical_files_and_another_seed_does_not(tmp_path):
    a = write_sample_data(tmp_path / "a", seed=3)
    b = write_sample_data(tmp_path / "b", seed=3)
    c = write_sample_data(tmp_path / "c", seed=4)
    for t in TABLES:
        assert a.paths[t].read_bytes() == b.paths[t].read_bytes()
    assert a.problems_path.read_text() == b.problems_path.read_text()
    assert a.paths["products"].read_bytes() != c.paths["products"].read_bytes()


def test_small_scale_has_thousands_of_rows_per_table_and_twenty_thousand_events(sample):
    result, frames, _ = sample
    assert set(result.rows) == set(TABLES)
    for t, df in frames.items():
        assert len(df) == result.rows[t]
        assert len(df) >= 1_000
    assert 19_000 <= len(frames["events"]) <= 21_000
    assert set(frames["events"]["event_type"]) == {"view", "click", "cart", "purchase"}


def test_every_problem_kind_is_injected_and_known(sample):
    _, _, problems = sample
    assert {p["kind"] for p in problems} == set(PROBLEM_KINDS)
    assert all(p["rows"] > 0 for p in problems)


def test_duplicate_rows_count_rows_that_copy_an_earlier_row(sample):
    _, frames, problems = sample
    for t, df in frames.items():
        assert problem(problems, t, "duplicate_rows") == int(df.duplicated().sum())


def test_duplicate_keys_count_repeated_keys_that_are_not_exact_copies(sample):
    _, frames, problems = sample
    for t, df in frames.items():
        key = df.columns[0]
        exact = df.duplicated()
        assert problem(problems, t, "duplicate_key", key) == int((df[key].duplicated() & ~exact).sum())
    assert problem(problems, "orders", "duplicate_key") > 0


def test_missing_values_are_exactly_the_empty_cells(sample):
    _, frames, problems = sample
    for t, df in frames.items():
        for col in df.columns:
            assert problem(problems, t, "missing_values", col) == int(df[col].isna().sum()), (t, col)


def test_unparseable_dates_are_the_non_iso_values(sample):
    _, frames, problems = sample
    s = frames["users"]["signup_date"].dropna()
    bad = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").isna().sum()
    assert bad > 0
    assert problem(problems, "users", "unparseable_values", "signup_date") == bad


def test_negative_values_only_where_injected(sample):
    _, frames, problems = sample
    for t, col in (("products", "price"), ("order_items", "quantity"), ("order_items", "unit_price"),
                   ("orders", "total_amount"), ("reviews", "rating")):
        assert problem(problems, t, "negative_values", col) == int((frames[t][col] < 0).sum())
    assert problem(problems, "products", "negative_values", "price") > 0


def fingerprint(value: str) -> str:
    import unicodedata
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def test_inconsistent_categories_are_variants_of_a_real_category(sample):
    _, frames, problems = sample
    cats = frames["products"]["category"]
    variants = cats[~cats.isin(list(CATEGORIES))]
    assert problem(problems, "products", "inconsistent_categories") == len(variants)
    canon = {fingerprint(c) for c in CATEGORIES}
    same_fingerprint = variants.map(fingerprint).isin(canon)
    assert same_fingerprint.sum() > 0 and (~same_fingerprint).sum() > 0  # both spelling and typo variants
    assert cats.value_counts().head(len(CATEGORIES)).index.isin(list(CATEGORIES)).all()


def test_pii_rows_hold_an_email_or_phone_and_clean_text_holds_none(sample):
    _, frames, problems = sample
    for t, col in (("reviews", "review_text"), ("products", "title"), ("products", "description")):
        text = frames[t][col].fillna("")
        hits = text.str.contains(EMAIL) | text.str.contains(PHONE)
        assert problem(problems, t, "pii", col) == int(hits.sum())
    assert problem(problems, "reviews", "pii") > 0


def test_orphan_foreign_keys_point_nowhere(sample):
    _, frames, problems = sample
    for (child, col), (parent, key) in PARENTS.items():
        orphans = int((~frames[child][col].isin(frames[parent][key])).sum())
        assert problem(problems, child, "orphan_foreign_keys", col) == orphans
    assert problem(problems, "events", "orphan_foreign_keys", "user_id") > 0


def test_mislabelled_products_have_a_title_of_another_category(sample):
    result, frames, problems = sample
    entry = next(p for p in problems if p["kind"] == "suspected_mislabel")
    products = frames["products"].set_index("product_id")
    assert entry["rows"] == len(entry["keys"])
    nouns = {c: v["nouns"] for c, v in CATEGORIES.items()}
    for pid in entry["keys"]:
        title, label = products.at[pid, "title"], products.at[pid, "category"]
        assert label in CATEGORIES and not any(n in title for n in nouns[label])


def test_titles_are_classifiable_into_their_category(sample):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    _, frames, _ = sample
    clean = frames["products"][frames["products"]["category"].isin(list(CATEGORIES))]
    scores = cross_val_score(LogisticRegression(max_iter=500), TfidfVectorizer().fit_transform(clean["title"]),
                             clean["category"], cv=3)
    assert 8 <= clean["category"].nunique() <= 10
    assert scores.mean() > 0.9


def test_review_text_tells_the_rating(sample):
    _, frames, _ = sample
    reviews = frames["reviews"].dropna(subset=["review_text"])
    positive = reviews["review_text"].str.contains("love|Excellent|Great|Fantastic|Five stars|Better than")
    assert positive[reviews["rating"] >= 4].mean() > 0.9
    assert positive[reviews["rating"] <= 2].mean() < 0.05


def test_every_table_has_a_data_dictionary_that_describes_every_column(sample):
    result, frames, _ = sample
    for t, df in frames.items():
        doc = result.docs[t].read_text()
        assert doc.startswith(f"# {t}")
        for col in df.columns:
            assert f"| `{col}` |" in doc
    assert "'cancelled' =" in result.docs["orders"].read_text()


def test_unknown_scale_is_a_clear_error(tmp_path):
    from stocktake.errors import StocktakeError

    with pytest.raises(StocktakeError, match="Use one of: small, medium"):
        write_sample_data(tmp_path, scale="huge")


def test_cli_writes_the_data_and_prints_one_json_object(tmp_path):
    result = CliRunner().invoke(app, ["sample-data", str(tmp_path / "out"), "--seed", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["rows"]["events"] > 0 and (tmp_path / "out" / "answers" / "problems.json").is_file()
    assert {p["kind"] for p in payload["problems"]} == set(PROBLEM_KINDS)


@pytest.mark.parametrize("existing", ["orders.csv", "docs/users.md", "answers/problems.json"])
def test_files_of_the_user_are_never_overwritten_without_force(tmp_path, existing):
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine")
    with pytest.raises(StocktakeError, match=f"already holds {existing}: the sample data would overwrite it.*--force"):
        write_sample_data(tmp_path)
    assert (tmp_path / existing).read_text() == "mine"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [Path(existing).name]


def test_force_overwrites_and_other_files_are_left_alone(tmp_path):
    (tmp_path / "orders.csv").write_text("mine")
    (tmp_path / "notes.txt").write_text("keep")
    write_sample_data(tmp_path, force=True)
    assert (tmp_path / "orders.csv").read_text().startswith("order_id,")
    assert (tmp_path / "notes.txt").read_text() == "keep"


def test_cli_refuses_an_earlier_sample_in_one_line_and_writes_it_again_with_force(tmp_path):
    (tmp_path / "users.csv").write_text("mine")
    refused = CliRunner().invoke(app, ["sample-data", str(tmp_path)])
    assert refused.exit_code == 1 and refused.stdout == "" and (tmp_path / "users.csv").read_text() == "mine"
    assert refused.stderr.strip() == (f"Error: {tmp_path} already holds users.csv: the sample data would overwrite it. "
                                      "Choose a new or empty folder, or pass --force to overwrite.")
    forced = CliRunner().invoke(app, ["sample-data", str(tmp_path), "--force", "--json"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "users.csv").read_text().startswith("user_id,")


def test_ingesting_the_sample_folder_registers_the_six_tables_and_not_the_answer_key(tmp_path, catalog):
    from stocktake.tools.ingest import ingest_path

    write_sample_data(tmp_path / "shop", seed=0)
    ingest_path(catalog, tmp_path / "shop")
    assert sorted(catalog.names()) == sorted(TABLES)
