"""Helpers shared by the hostile-input ingest tests: a folder's exact state, and files that are hard to write."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import stat
import zipfile
from pathlib import Path


def folder_state(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (links not followed) with its content hash, link target or file kind."""
    state = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            mode = p.lstat().st_mode
            if stat.S_ISLNK(mode):
                state[str(p.relative_to(folder))] = "-> " + os.readlink(p)
            elif stat.S_ISREG(mode):
                state[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                state[str(p.relative_to(folder))] = stat.filemode(mode)[0]
    return state


def wal_database(path: Path, rows: int = 3, keep_wal: bool = True) -> Path:
    """A WAL-mode SQLite database; with ``keep_wal`` its rows sit only in the ``-wal`` file, as when the
    writer was killed before a checkpoint (the files are copied while the writer still has them open)."""
    writer_dir = path.parent / f".writer-{path.name}"
    writer_dir.mkdir()
    db = sqlite3.connect(writer_dir / "w.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE events (id INTEGER, kind TEXT)")
    db.executemany("INSERT INTO events VALUES (?, ?)", [(i, f"k{i}") for i in range(rows)])
    db.commit()
    if keep_wal:
        path.write_bytes((writer_dir / "w.db").read_bytes())
        Path(f"{path}-wal").write_bytes((writer_dir / "w.db-wal").read_bytes())
    db.close()
    if not keep_wal:  # closed cleanly: checkpointed, the -wal file is gone
        path.write_bytes((writer_dir / "w.db").read_bytes())
    for p in writer_dir.iterdir():
        p.unlink()
    writer_dir.rmdir()
    return path


def sqlite_database(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)
    db.close()
    return path


def xlsx_with_cells(path: Path, cells: dict[str, object], sheet_xml_extra: str = "") -> Path:
    """A minimal xlsx written by hand, so that cells can sit anywhere (openpyxl would write real dimensions)."""
    def cell(ref, value):
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    by_row: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        by_row.setdefault(row, []).append(cell(ref, value))
    rows = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(by_row.items()))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+'
        'xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main">{sheet_xml_extra}<sheetData>{rows}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path
