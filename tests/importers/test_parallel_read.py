"""A large BibTeX file is parsed by several processes; the store must be what one process makes."""

from __future__ import annotations

import lzma
from pathlib import Path

import orjson
import pytest

from tests.conftest import need_shared
from tui.errors import ImportFormatError
from tui.importers import base, pipeline
from tui.paths import StoreLocation
from tui.service import Library, import_files


def _store_contents(root: Path) -> tuple[dict[str, object], dict[str, object]]:
    """Every paper and author row of a store, by id, straight from its shards."""
    generation = root / (root / "CURRENT").read_text().strip()
    papers: dict[str, object] = {}
    rows: dict[str, object] = {}
    for shard in sorted((generation / "papers").iterdir()):
        papers.update(orjson.loads(shard.read_bytes())["papers"])
    for shard in sorted((generation / "rows").iterdir()):
        rows.update(orjson.loads(shard.read_bytes())["rows"])
    return papers, rows


def _import(path: Path, root: Path, processes: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.setattr(pipeline, "reader_processes", lambda importer, size: processes)
    report = import_files(StoreLocation(root, False, "option"), [path], "bibtex")
    return report.as_dict()


@pytest.fixture
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of 500 entries, so a few thousand entries alternate between the processes many times."""
    monkeypatch.setattr(base, "PART_ENTRIES", 500)
    import tui.importers.bibtex as bibtex

    monkeypatch.setattr(bibtex, "PART_ENTRIES", 500)


def test_two_processes_give_the_same_store_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_runs: None
) -> None:
    dump = need_shared("data", "dblp", "dblp-2016-conf.bib.xz")
    text = lzma.open(dump, "rt", encoding="utf-8").read(6_000_000)
    sample = tmp_path / "sample.bib"
    sample.write_text(text[: text.rfind("\n@")] + "\n", encoding="utf-8")

    one = _import(sample, tmp_path / "one", 1, monkeypatch)
    two = _import(sample, tmp_path / "two", 2, monkeypatch)

    assert one == two
    assert one["read"] > 10_000  # about 20 runs, taken in turn from the two processes
    papers_one, rows_one = _store_contents(tmp_path / "one")
    papers_two, rows_two = _store_contents(tmp_path / "two")
    assert len(papers_one) == one["imported"]
    assert papers_one == papers_two  # same ids, same records, same author rows referenced
    assert rows_one == rows_two
    first = Library.open(StoreLocation(tmp_path / "one", True, "option"))
    second = Library.open(StoreLocation(tmp_path / "two", True, "option"))
    assert first.stats()["clusters"] == second.stats()["clusters"]


def _entry(number: int, venue: str = "{Some Venue}") -> str:
    return (
        f"@inproceedings{{conf/x/P{number},\n  author = {{Ada Lovelace}},\n  title = {{Paper {number}}},\n"
        f"  booktitle = {venue},\n  year = {{2020}}\n}}\n"
    )


def test_string_macros_reach_every_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_runs: None) -> None:
    # The macro is defined in the first run (process 0) and used in every run, so also by process 1.
    path = tmp_path / "macros.bib"
    path.write_text(
        '@string{icml = "International Conference on Machine Learning"}\n'
        + "".join(_entry(i, "icml") for i in range(2_000)),
        encoding="utf-8",
    )
    report = _import(path, tmp_path / "store", 2, monkeypatch)
    assert report["imported"] == 2_000
    papers, _ = _store_contents(tmp_path / "store")
    venues = {paper["venue"] for paper in papers.values()}  # type: ignore[index]
    assert venues == {"International Conference on Machine Learning"}


def test_a_truncated_file_is_an_error_in_any_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_runs: None
) -> None:
    path = tmp_path / "cut.bib"
    text = "".join(_entry(i) for i in range(1_700))  # the last run (the fourth) belongs to process 1
    path.write_text(text[:-30], encoding="utf-8")
    with pytest.raises(ImportFormatError, match="file ends inside an entry"):
        _import(path, tmp_path / "store", 2, monkeypatch)
    assert not (tmp_path / "store" / "CURRENT").exists() or _store_contents(tmp_path / "store") == ({}, {})
