"""`arrow-tui import` end to end: detection, the summary, idempotence, and all-or-nothing on kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, need_shared, run_cli
from tests.importers.conftest import FIXTURES
from tui.errors import ImportFormatError
from tui.importers import detect_format

MIXED = [
    FIXTURES / "quirks.bib",
    FIXTURES / "dblp-sample.bib",
    FIXTURES / "dblp-same-as-bib.xml",
    FIXTURES / "dblp-crlf-run-together.xml",
    FIXTURES / "paperlists.jsonl",
    FIXTURES / "openalex.jsonl",
    FIXTURES / "acl" / "xml" / "P99.xml",
]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("quirks.bib", "bibtex"),
        ("crlf.bib", "bibtex"),
        ("dblp-crlf-run-together.xml", "dblp-xml"),
        ("dblp-inline-dtd.xml", "dblp-xml"),
        ("dblp-same-as-bib.xml", "dblp-xml"),
        ("paperlists.jsonl", "jsonl"),
        ("openalex.jsonl", "jsonl"),
        ("acl/xml/P99.xml", "acl"),
    ],
)
def test_sniffing(name: str, fmt: str) -> None:
    assert detect_format(FIXTURES / name).name == fmt


def test_sniffing_real_files() -> None:
    for parts, fmt in [
        (("data", "dblp", "dblp-2016-conf.bib.xz"), "bibtex"),
        (("data", "bibtex", "gwf-anthology+abstracts.bib.gz"), "bibtex"),
        (("data", "paperlists", "paperlists.jsonl.xz"), "jsonl"),
        (("data", "acl-anthology", "acl-anthology-2021-06.tar.xz"), "acl"),
        (("seed", "arrow-author-cluster-wenkai-yang.txt"), "arrow-page"),
    ]:
        assert detect_format(need_shared(*parts)).name == fmt


def test_unrecognised_file() -> None:
    with pytest.raises(ImportFormatError, match="unrecognised format"):
        detect_format(FIXTURES / "not-bibtex.txt")


def _json(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _page(store: Path, name: str) -> dict:
    page = _json(run_cli("cluster", name, "--json", "--store", str(store)))
    return page


def _snapshot(store: Path) -> tuple[dict, dict, dict]:
    stats = _json(run_cli("stats", "--json", "--store", str(store)))
    stats.pop("bytes_on_disk")
    return stats, _page(store, "Yang Liu"), _page(store, "Wenkai Yang")


def test_import_twice_adds_nothing_and_dblp_xml_merges_with_bibtex(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = _json(run_cli("import", *map(str, MIXED), "--store", str(store), "--json"))
    assert first["imported"] > 15
    # conf/acl/SampleX16 came from BibTeX and again from DBLP XML: one paper, the XML adding its link.
    assert first["merged"] == 1
    before = _snapshot(store)
    stats, yang_liu, _ = before
    assert stats["papers"] == first["imported"]
    sample = [p for p in yang_liu["paper_list"] if p["title"] == "A DBLP Sample Paper"]
    assert len(sample) == 1
    assert {"kind": "url", "url": "https://www.aclweb.org/anthology/P16-9999"} in sample[0]["links"]
    # The www person record gave the "Yang Liu 0003" row its homepage and ORCID.
    row = next(r for r in yang_liu["rows"] if r.get("suffix") == "0003")
    assert (row["orcid"], row["homepage"]) == ("0000-0002-1825-0097", "https://example.org/~yliu")
    # ACL ids: two "Yang Liu" people are two rows of the one cluster.
    assert {"acl:yang-liu-ict", "acl:yang-liu-icsi"} <= {sid for r in yang_liu["rows"] for sid in r["source_ids"]}

    second = _json(run_cli("import", *map(str, MIXED), "--store", str(store), "--json"))
    assert second["imported"] == 0
    assert second["read"] == first["read"]
    assert second["merged"] == first["imported"] + first["merged"]  # every paper again, found as a duplicate
    assert _snapshot(store) == before


def test_format_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    store = tmp_path / "store"
    for bad in ("truncated.bib", "not-bibtex.txt", "dblp-truncated.xml", "jsonl-truncated.jsonl"):
        result = run_cli("import", str(FIXTURES / bad), "--store", str(store))
        assert result.returncode == 2, (bad, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert bad in result.stderr
        assert "Traceback" not in result.stderr
    assert not (store / "CURRENT").exists() or _json(run_cli("stats", "--json", "--store", str(store)))["papers"] == 0


def _kill_leftovers(store: Path) -> None:
    """SIGKILL the processes this test started that still run on its store (an orphaned reader)."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(store).encode() in (proc / "cmdline").read_bytes():
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue


def _start_dump_import_over_a_store(
    tmp_path: Path, **popen: Any
) -> tuple[Path, tuple, set[Path], subprocess.Popen[str]]:
    """A store of the mixed fixtures, its snapshot and generation directories (taken before), and a
    running import of the 1.6M-entry dump into it."""
    dump = need_shared("data", "dblp", "dblp-2016-conf.bib.xz")
    store = tmp_path / "store"
    _json(run_cli("import", *map(str, MIXED), "--store", str(store), "--json"))
    before = _snapshot(store)
    generations = set(store.glob("gen-*"))
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "import", str(dump), "--store", str(store)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
    return store, before, generations, process


def test_kill_9_midway_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store, before, generations, process = _start_dump_import_over_a_store(tmp_path)
    try:
        # Wait until the import is writing its new generation and has read a good part of the dump.
        deadline = time.monotonic() + 120
        while not (set(store.glob("gen-*")) - generations) and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
        assert set(store.glob("gen-*")) - generations, "the import never started a generation"
        time.sleep(4)
        assert process.poll() is None, "the import finished before it could be killed"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert _snapshot(store) == before
    # The lock goes with the killed import (its reader process too); the next import runs and sees
    # the old papers plus the new.
    deadline = time.monotonic() + 15
    while True:
        result = run_cli("import", str(FIXTURES / "crlf.bib"), "--store", str(store), "--json")
        if "another import is writing" not in result.stderr or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if "another import is writing" in result.stderr:
        _kill_leftovers(store)  # a reader process outliving the killed import: do not leave it running
        pytest.fail("the store lock outlived the killed import")
    assert _json(result)["imported"] == 2
    stats = _json(run_cli("stats", "--json", "--store", str(store)))
    assert stats["papers"] == before[0]["papers"] + 2


def test_ctrl_c_midway_is_one_line_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    import os

    # A terminal's Ctrl-C goes to the whole foreground process group: the import and its reader.
    store, before, _generations, process = _start_dump_import_over_a_store(tmp_path, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(list(store.glob("gen-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == "arrow-tui: interrupted; the store is unchanged"
    assert _snapshot(store) == before
    assert [p for p in store.glob("gen-*")] == [store / (store / "CURRENT").read_text().strip()]
