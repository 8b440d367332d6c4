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


def test_files_imported_together_give_the_store_of_their_concatenation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_runs: None
) -> None:
    # Each file has reader processes of its own, which send a name's parse with the first paper they
    # see it in; the first file's names recur in the second.
    dump = need_shared("data", "dblp", "dblp-2016-conf.bib.xz")
    text = lzma.open(dump, "rt", encoding="utf-8").read(3_000_000)
    text = text[: text.rfind("\n@")] + "\n"
    middle = text.find("\n@", len(text) // 2) + 1
    halves = [tmp_path / "first.bib", tmp_path / "second.bib"]
    halves[0].write_text(text[:middle], encoding="utf-8")
    halves[1].write_text(text[middle:], encoding="utf-8")
    whole = tmp_path / "whole.bib"
    whole.write_text(text, encoding="utf-8")
    monkeypatch.setattr(pipeline, "reader_processes", lambda importer, size: 2)

    together = import_files(StoreLocation(tmp_path / "together", False, "option"), halves, "bibtex")
    at_once = import_files(StoreLocation(tmp_path / "at-once", False, "option"), [whole], "bibtex")

    assert together.as_dict() == at_once.as_dict()
    assert together.read > 5_000
    assert _store_contents(tmp_path / "together") == _store_contents(tmp_path / "at-once")


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


def test_a_macro_defined_in_another_process_s_run_reaches_later_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_runs: None
) -> None:
    # Runs of 500: entries 0-499 are process 0's, 500-999 process 1's, and so on. The macro sits in the
    # middle of process 1's first run and is used from there on, by both processes.
    entries = [_entry(i) for i in range(700)]
    entries.append('@string{nips = "Neural Information Processing Systems"}\n')
    entries += [_entry(i, "nips") for i in range(700, 2_200)]
    path = tmp_path / "late-macro.bib"
    path.write_text("".join(entries), encoding="utf-8")
    one = _import(path, tmp_path / "one", 1, monkeypatch)
    two = _import(path, tmp_path / "two", 2, monkeypatch)
    assert one == two and two["imported"] == 2_200
    assert _store_contents(tmp_path / "one") == _store_contents(tmp_path / "two")
    papers, _ = _store_contents(tmp_path / "two")
    late = [p["venue"] for p in papers.values() if int(p["title"].split()[1]) >= 700]  # type: ignore[index]
    assert set(late) == {"Neural Information Processing Systems"}


def test_a_corrupt_compressed_file_is_one_error_with_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_runs: None
) -> None:
    data = lzma.compress("".join(_entry(i) for i in range(3_000)).encode())
    path = tmp_path / "cut.bib.xz"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ImportFormatError, match="truncated or corrupt"):
        _import(path, tmp_path / "store", 2, monkeypatch)


def test_messages_cross_a_pipe_whole_in_order_then_end() -> None:
    import multiprocessing
    import threading

    receiver, sender = pipeline._pipe(multiprocessing.get_context("fork"))
    # Empty, small, and larger than the inbox's first buffer and than the pipe: several reads each.
    messages = [b"", b"m1", bytes(range(256)) * 12_000, b"p" + b"x" * (3 << 20)]

    def send_all() -> None:
        for message in messages:
            pipeline._send_message(sender, message)
        sender.close()

    thread = threading.Thread(target=send_all)
    thread.start()
    inbox = pipeline._Inbox(receiver)
    received = [bytes(inbox.receive()) for _ in messages]
    thread.join()
    assert received == messages
    with pytest.raises(EOFError):
        inbox.receive()
    receiver.close()
