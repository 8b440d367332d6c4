"""The store keeps the user's data: atomic writes, killed writers, clear errors for broken files."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from tinydb import TinyDB

from tests.conftest import REPO, build_store, paper, run_cli
from tui.errors import StoreError
from tui.index.keys import IncomingPaper, incoming
from tui.paths import StoreLocation
from tui.service import Library
from tui.store import Store
from tui.store.atomic import atomic_write_bytes
from tui.store.pending import PendingMerges
from tui.store.writer import PENDING_MERGES_FILE


def _spawn(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _wait_for_line(proc: subprocess.Popen[str], expected: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if expected in line:
            return
        if not line and proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"child never printed {expected!r}")


def test_atomic_write_killed_midway_leaves_old_or_new(tmp_path):
    target = tmp_path / "file.json"
    atomic_write_bytes(target, b"old" * 1000)
    proc = _spawn(f"""
        from pathlib import Path
        from tui.store.atomic import atomic_write_bytes
        target = Path({str(target)!r})
        print("writing", flush=True)
        while True:
            atomic_write_bytes(target, b"n" * 50_000_000)
    """)
    _wait_for_line(proc, "writing")
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = target.read_bytes()
    assert data in (b"old" * 1000, b"n" * 50_000_000)


def test_atomic_write_of_pieces_writes_them_joined(tmp_path):
    # More pieces than one writev call takes (IOV_MAX is 1024 on Linux), of varied sizes, some empty.
    pieces = [bytes([65 + i % 26]) * (i % 7) for i in range(5000)]
    target = tmp_path / "shard.json"
    atomic_write_bytes(target, pieces, sync=False)
    assert target.read_bytes() == b"".join(pieces)
    atomic_write_bytes(target, tuple(pieces[:3]))
    assert target.read_bytes() == b"".join(pieces[:3])
    assert [p.name for p in tmp_path.iterdir()] == ["shard.json"]  # no temporary file left


def test_import_killed_before_commit_leaves_store_intact(tmp_path):
    root = tmp_path / "store"
    build_store(root, [paper("Original paper", ["Ada Lovelace"], 1843)])
    before = Library.open(StoreLocation(root, False, "option")).cluster("Ada Lovelace").as_dict()
    proc = _spawn(f"""
        import time
        from pathlib import Path
        import tui.store.writer as writer
        from tui.index.build import PaperIndexer
        from tui.models import AuthorInput, PaperInput
        from tui.store import Store
        def slow_index(*args, **kwargs):
            print("indexing", flush=True)
            time.sleep(60)
        PaperIndexer.build = slow_index
        session = writer.ImportSession(Store(Path({str(root)!r})))
        for i in range(5000):
            session.add(PaperInput(title=f"New {{i}}", authors=[AuthorInput("Ada Lovelace")], year=1850))
        session.commit()
    """)
    _wait_for_line(proc, "indexing")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    library = Library.open(StoreLocation(root, False, "option"))
    assert library.cluster("Ada Lovelace").as_dict() == before
    assert library.stats()["papers"] == 1
    # The next import clears the abandoned generation and works normally.
    build_store(root, [paper("Second paper", ["Ada Lovelace"], 1844)])
    assert Library.open(StoreLocation(root, False, "option")).cluster("ada lovelace").paper_count == 2
    assert len(list(root.glob("gen-*"))) == 2  # live one, and the previous one kept for open readers


def test_shards_are_tinydb_files(tmp_path):
    library = build_store(tmp_path / "s", [paper("T", ["A B"], 2001)])
    shard = next((library.store.gen_dir / "papers").glob("*.json"))
    with TinyDB(shard, access_mode="r") as db:
        docs = db.table("papers").all()
    assert [d["title"] for d in docs] == ["T"]
    assert library.store.manifest["schema"] == 1


def test_writes_carry_a_schema_version_and_reject_others(tmp_path):
    library = build_store(tmp_path / "s", [paper("T", ["A B"], 2001)])
    manifest = library.store.gen_dir / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"schema": 1', '"schema": 99'))
    with pytest.raises(StoreError, match="schema 99"):
        Store(tmp_path / "s")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_text('{"format": "arrow-tui-st'), "not valid JSON"),
        (lambda p: p.write_text(""), "empty"),
        (lambda p: p.write_text('{"_default": {"1": {"x": 1}}}'), "not an arrow-tui store manifest"),
    ],
)
def test_corrupt_store_is_one_line_with_the_path(tmp_path, damage, message):
    library = build_store(tmp_path / "s", [paper("T", ["A B"], 2001)])
    manifest = library.store.gen_dir / "manifest.json"
    damage(manifest)
    result = run_cli("--store", str(tmp_path / "s"), "stats")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(manifest) in lines[0] and message in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_and_foreign_store_directories(tmp_path):
    result = run_cli("--store", str(tmp_path / "nope"), "search", "x")
    assert result.returncode == 2 and "no such store directory" in result.stderr
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "db.json").write_text("{}")
    result = run_cli("--store", str(tmp_path / "foreign"), "search", "x")
    assert result.returncode == 2 and "not an arrow-tui store" in result.stderr


def test_truncated_index_file_is_reported(tmp_path):
    library = build_store(tmp_path / "s", [paper("T", ["A B"], 2001)])
    stats_file = library.store.gen_dir / "index" / "cluster_stats.npy"
    stats_file.write_bytes(stats_file.read_bytes()[:20])
    result = run_cli("--store", str(tmp_path / "s"), "search", "a b")
    assert result.returncode == 2 and str(stats_file) in result.stderr and "Traceback" not in result.stderr


def test_demo_store_is_read_only(tmp_path, monkeypatch):
    from tui.paths import demo_store_path
    from tui.service import import_files

    with pytest.raises(StoreError, match="read-only"):
        import_files(StoreLocation(demo_store_path(), True, "demo"), [tmp_path / "x"])


def test_untouched_shards_stay_in_the_index(tmp_path):
    root = tmp_path / "s"
    build_store(root, [paper(f"Paper {i}", ["Ada Lovelace", f"Coauthor {i}"], 1800 + i % 50) for i in range(1030)])
    build_store(root, [paper("One more", ["Ada Lovelace"], 1900)])
    library = Library.open(StoreLocation(root, False, "option"))
    assert library.cluster("Ada Lovelace").paper_count == 1031
    assert library.paper(5)["title"] == "Paper 5"
    assert library.search_titles("paper 1029")[0].title == "Paper 1029"


def test_duplicates_of_papers_in_written_shards_merge_at_commit(tmp_path):
    root = tmp_path / "s"
    first = [paper(f"Paper {i}", ["Ada Lovelace"], 1850, doi=f"10.1/{i}") for i in range(1030)]
    # In the same import, after shard 0 was written: a duplicate that brings an abstract, one that adds nothing.
    again = [
        paper("Paper 3", ["Ada Lovelace"], 1850, doi="10.1/3", abstract="Found later."),
        paper("Paper 4", ["Ada Lovelace"], 1850, doi="10.1/4"),
    ]
    library = build_store(root, first + again)
    assert library.stats()["papers"] == 1030
    assert library.paper(3)["abstract"] == "Found later."
    assert library.cluster("Ada Lovelace").paper_count == 1030
    # And across imports: the stored shard is read, merged and rewritten once.
    library = build_store(root, [paper("Paper 5", ["Ada Lovelace"], 1850, doi="10.1/5", pages="1-2")])
    assert library.paper(5)["pages"] == "1-2" and library.stats()["papers"] == 1030
    # Duplicates waited for the commit in a file of the new generation, which is gone once it is live.
    assert not list(root.rglob(PENDING_MERGES_FILE))
    # A duplicate that changes nothing leaves its shard as it was, and the shard still feeds the index.
    library = build_store(root, [paper("Paper 7", ["Ada Lovelace"], 1850, doi="10.1/7")])
    assert library.stats()["papers"] == 1030 and library.cluster("Ada Lovelace").paper_count == 1030
    # A trailing space asks for the word "7" whole, not as a prefix of "799".
    assert [hit.title for hit in library.search_titles("paper 7 ")] == ["Paper 7"]
    assert library.paper(1029)["title"] == "Paper 1029"


def test_pending_merges_come_back_by_shard_in_arrival_order(tmp_path):
    waiting = PendingMerges(tmp_path / "pending")
    sent = [
        (shard, 1024 * shard + i, incoming(paper(f"Paper {i}", ["Ada Lovelace", "Émilie du Châtelet"], 1750 + i)))
        for i, shard in enumerate([3, 3, 0, 3, 7, 0, 0, 3])
    ]
    for shard, existing_id, incoming_paper in sent:
        waiting.add(shard, existing_id, incoming_paper)
    assert waiting.shards() == [0, 3, 7]
    for shard in (3, 0, 7):
        merges = waiting.pop(shard)
        assert merges == [(existing_id, p) for s, existing_id, p in sent if s == shard]
        assert all(isinstance(p, IncomingPaper) for _, p in merges)
    assert waiting.shards() == []
    waiting.close()
    assert not (tmp_path / "pending").exists()


def test_a_duplicate_found_by_a_later_key_leaves_no_claim_on_its_earlier_keys(tmp_path):
    # The second paper's DOI is looked up (and claimed) before its title finds the first paper. Once it is
    # merged, that DOI must not point at the id the next new paper gets.
    papers = [
        paper("Shared Title", ["Ada Lovelace"], 1850, doi="10.1/a"),
        paper("Shared Title", ["Ada Lovelace"], 1850, doi="10.1/b"),
        paper("Unrelated", ["Charles Babbage"], 1851),
        paper("Another Paper", ["Mary Somerville"], 1852, doi="10.1/b"),
    ]
    library = build_store(tmp_path / "s", papers)
    assert library.stats()["papers"] == 3
    assert library.paper(1)["title"] == "Unrelated"
    assert library.paper(2)["title"] == "Another Paper"


def test_merges_into_shards_written_long_before_are_spliced_in_place(tmp_path):
    from tui.store.writer import RECENT_SHARDS_KEPT

    count = (RECENT_SHARDS_KEPT + 2) * 1024  # shard 0 is written to disk before the duplicates arrive
    papers = [
        paper(f"Paper {i}", ["Ada Lovelace", f"Coauthor {i % 300}"], 1850 + i % 40, doi=f"10.1/{i}")
        for i in range(count)
    ]
    later = [
        paper("Paper 3", ["Ada Lovelace"], 1853, doi="10.1/3", abstract="Found later."),
        paper("Paper 3", ["Ada Lovelace"], 1853, doi="10.1/3", pages="7-9"),
        paper("Paper 4", ["Ada Lovelace"], 1854, doi="10.1/4"),
    ]
    library = build_store(tmp_path / "s", papers + later)
    assert library.stats()["papers"] == count
    assert (library.paper(3)["abstract"], library.paper(3)["pages"]) == ("Found later.", "7-9")
    assert library.paper(2)["title"] == "Paper 2" and library.paper(1023)["title"] == "Paper 1023"
    shard = library.store.gen_dir / "papers" / "p000000.json"
    with TinyDB(shard, access_mode="r") as db:
        stored = {d.doc_id: d for d in db.table("papers").all()}
    assert len(stored) == 1024 and stored[3]["abstract"] == "Found later." and stored[4]["title"] == "Paper 4"
    assert library.search_titles("paper 3")[0].title.startswith("Paper 3")


def test_a_shard_patched_in_place_never_changes_a_file_it_shares(tmp_path):
    from tui.store.writer import _overwrite_tail

    own = tmp_path / "own.json"
    own.write_bytes(b"0123456789")
    _overwrite_tail(own, 4, b"ab")
    assert own.read_bytes() == b"0123ab"
    shared, previous = tmp_path / "shared.json", tmp_path / "previous.json"
    previous.write_bytes(b"0123456789")
    os.link(previous, shared)
    _overwrite_tail(shared, 2, b"xyz--")
    assert shared.read_bytes() == b"01xyz--"
    assert previous.read_bytes() == b"0123456789"


def test_rows_made_by_an_import_take_later_details_before_the_commit(tmp_path):
    from tui.models import AuthorInput, PaperInput
    from tui.service import open_for_import
    from tui.store.writer import ImportSession

    location = StoreLocation(tmp_path / "s", False, "option")
    with ImportSession(open_for_import(location)) as session:
        session.add(paper("First", ["Ada Lovelace", "Charles Babbage 0002"], 1843))
        orcid = "0000-0002-1825-0097"
        session.add(PaperInput(title="Second", authors=[AuthorInput("Ada Lovelace", "", orcid)], year=1844))
        assert session.update_row("name:Ada Lovelace", homepage="https://example.org/ada")
        assert not session.update_row("name:Nobody", homepage="https://example.org/")
        session.commit()
    library = Library.open(location)
    (ada,) = library.cluster("ada lovelace").rows
    assert (ada["orcid"], ada["homepage"], ada["source_ids"]) == (
        orcid,
        "https://example.org/ada",
        ["name:Ada Lovelace"],
    )
    (charles,) = library.cluster("charles babbage").rows
    assert (charles["name"], charles["suffix"], charles["orcid"]) == ("Charles Babbage", "0002", "")
    shard = next((library.store.gen_dir / "rows").glob("*.json"))
    with TinyDB(shard, access_mode="r") as db:
        stored = {row["name"]: row for row in db.table("rows").all()}
    # The row shard on disk says what the index says.
    assert stored == {
        name: {key: row[key] for key in stored[name]}
        for name, row in [("Ada Lovelace", ada), ("Charles Babbage", charles)]
    }


def test_a_merge_at_commit_that_brings_a_new_author_reaches_the_name_search(tmp_path):
    from tui.store.writer import RECENT_SHARDS_KEPT

    # Enough authors that the name search is built in its own process, which starts before the commit's
    # merges: the merge below brings a cluster it was not given, so it must be built again.
    count = (RECENT_SHARDS_KEPT + 2) * 1024
    papers = [paper("Proceedings without editors", [], 1999, doi="10.1/p")]
    papers += [paper(f"Paper {i}", [f"Author Number{i}"], 1990, doi=f"10.1/{i}") for i in range(count)]
    later = [paper("Proceedings without editors", ["Zelda Newcomer"], 1999, doi="10.1/p")]
    library = build_store(tmp_path / "s", papers + later)
    assert library.stats()["papers"] == count + 1
    assert [hit.name for hit in library.search("zelda newcomer")[:1]] == ["Zelda Newcomer"]
    page = library.cluster("zelda newcomer")
    assert [p["title"] for p in page.papers] == ["Proceedings without editors"]
    assert library.search("author number17")[0].name == "Author Number17"
