"""Ingest reports through the progress protocol: which file, its bytes and rows as they are read, each table
registered; the CLI draws them on stderr."""

from __future__ import annotations

import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.tools import ingest_files, ingest_formats
from stocktake.tools.ingest import ingest_path


class Recorder:
    def __init__(self):
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, step, done, total):
        self.calls.append((step, done, total))

    def steps(self, word: str) -> list[tuple[str, int, int | None]]:
        return [c for c in self.calls if word in c[0]]


@pytest.fixture
def catalog(tmp_path):
    return Catalog(Workspace(tmp_path / "ws", create=True))


def test_a_folder_ingest_names_each_file_and_registers_each_table(tmp_path, catalog):
    folder = tmp_path / "shop"
    folder.mkdir()
    for name in ("orders", "products", "users"):
        (folder / f"{name}.csv").write_text(f"{name}_id,value\n1,a\n2,b\n")
    heard = Recorder()
    ingest_path(catalog, folder, progress=heard)
    for i, name in enumerate(("orders", "products", "users"), start=1):
        read = heard.steps(f"file {i}/3 {name}.csv · bytes read")
        assert read and read[-1][1] == read[-1][2] == (folder / f"{name}.csv").stat().st_size
        assert heard.steps(f"file {i}/3 {name}.csv · rows parsed")
    registered = heard.steps("registering")
    assert [(d, t) for _, d, t in registered] == [(0, 3), (1, 3), (2, 3)]
    assert {s.split()[1] for s, _, _ in registered} == {"orders", "products", "users"}


def test_a_big_csv_reports_bytes_and_rows_as_they_go(tmp_path, catalog, monkeypatch):
    monkeypatch.setattr(ingest_files, "_BLOCK", 64 << 10)
    monkeypatch.setattr(ingest_formats, "_CHUNK_ROWS", 10_000)
    path = tmp_path / "events.csv"
    path.write_text("user_id,item_id,event\n" + "".join(f"{i},{i % 97},view\n" for i in range(50_000)))
    heard = Recorder()
    [result] = ingest_path(catalog, path, progress=heard)
    assert result.asset.rows == 50_000
    size = path.stat().st_size
    read = heard.steps("bytes read")
    assert all(s.startswith(str(path)) for s, _, _ in read)
    assert len(read) > 1 and {t for _, _, t in read} == {size} and read[-1][1] == size
    assert [d for _, d, _ in read] == sorted(d for _, d, _ in read)
    rows = heard.steps("rows parsed")
    assert [d for _, d, _ in rows] == [10_000, 20_000, 30_000, 40_000, 50_000, 50_001]
    assert {t for _, _, t in rows} == {50_001}  # the header line counts among the lines


def test_the_cli_ingest_draws_the_engines_steps_and_prints_its_summary(tmp_path, monkeypatch):
    from contextlib import contextmanager

    from typer.testing import CliRunner

    from stocktake.cli import catalog_cmds
    from stocktake.cli.main import app

    heard, titles = Recorder(), []

    @contextmanager
    def recorded(title):
        titles.append(title)
        yield heard

    monkeypatch.setattr(catalog_cmds, "engine_progress", recorded)
    path = tmp_path / "users.csv"
    path.write_text("user_id,email\n1,a@example.com\n")
    result = CliRunner().invoke(app, ["--workspace", str(tmp_path / "ws"), "ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "users (users): 1 row × 2 columns, version 1" in result.output
    assert titles == [f"Ingesting {path}"]
    assert heard.steps("bytes read") and heard.steps("rows parsed") and heard.steps("registering users (1/1)")
