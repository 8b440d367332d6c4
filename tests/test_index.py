"""The derived index agrees with the stored records it is built from."""

import lzma
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from tests.conftest import build_store, need_shared, paper
from tui.index import files
from tui.index.build import (
    RowClusters,
    _key_word_index,
    _numbers_by_hash,
    _sorted_triples,
    _trigram_index,
)
from tui.index.keys import key_hash, title_words, word_hashes
from tui.names import key_tokens
from tui.paths import StoreLocation
from tui.service import Library, import_files


def _check_against_records(library) -> None:
    index = library.index
    papers = {i: index.paper(i) for i in index.paper_ids()}
    papers = {i: p for i, p in papers.items() if p is not None}
    ids = sorted(papers)
    # Each paper's author rows come out of the array in the order of its record.
    gathered = index.paper_row_ids(ids).tolist()
    expected = [ref["row"] for i in ids for ref in papers[i].get("authors", [])]
    assert gathered == expected
    for i in ids[:50]:
        assert index.paper_row_ids([i]).tolist() == [ref["row"] for ref in papers[i].get("authors", [])]
    # Title words: each word of each title, with exactly the papers whose title has it.
    expected_words: dict[str, list[int]] = {}
    for i in ids:
        for word in title_words(papers[i].get("title", "")):
            expected_words.setdefault(word, []).append(i)
    vocab, offsets, owners = index.title_words
    found_words = {word: owners[offsets[n] : offsets[n + 1]].tolist() for n, word in enumerate(vocab)}
    assert vocab == sorted(vocab)
    assert found_words == expected_words
    # Row paper counts and year spans as computed from the records.
    counts: Counter[int] = Counter(ref["row"] for p in papers.values() for ref in p.get("authors", []))
    years: dict[int, list[int]] = {}
    for p in papers.values():
        for ref in p.get("authors", []):
            if p.get("year"):
                years.setdefault(ref["row"], []).append(p["year"])
    row_ids = list(range(library.stats()["author_rows"]))
    for row in index.rows(row_ids):
        assert row["papers"] == counts[row["id"]]
        span = years.get(row["id"])
        assert (row["year_min"], row["year_max"]) == ((min(span), max(span)) if span else (None, None))


def test_paper_rows_and_row_stats_match_the_records(tmp_path, monkeypatch):
    import tui.store.writer as writer

    monkeypatch.setattr(writer, "RECENT_SHARDS_KEPT", 0)  # a full shard goes to disk at once
    papers = [
        paper(f"Paper {i}", [f"Author {i % 7}", f"Other {i % 3}"], 1990 + i % 9, doi=f"10.1/{i}") for i in range(1030)
    ]
    papers[5] = paper("Nobody", [], 2001, doi="10.1/5")
    papers[6] = paper("Data data: more DATA, Ünïcode and unicode", ["Author 6"], 2001)
    papers += [paper("No year", ["Author 1"], None)]
    # After shard 0 is on disk: a duplicate that brings authors to a paper stored without any. The merge
    # is spliced into the written shard, and the paper's rows come after every other paper's.
    papers += [paper("Nobody", ["Late Author", "Author 2"], 2001, doi="10.1/5")]
    library = build_store(tmp_path / "s", papers)
    assert [ref["name"] for ref in library.paper(5)["authors"]] == ["Late Author", "Author 2"]
    # Its author row was added at commit, after the name search had started: that search started again.
    assert [hit.name for hit in library.search("late author")][:1] == ["Late Author"]
    assert library.cluster("Late Author").paper_count == 1
    _check_against_records(library)
    assert library.index.paper_row_ids([]).tolist() == []
    # A second import: untouched shards are indexed from their files, a merge rewrites one of them.
    library = build_store(
        tmp_path / "s", [paper("Paper 7", ["Author 0"], 1997, doi="10.1/7", pages="1-9"), paper("Fresh words", ["Z"])]
    )
    assert library.paper(7)["pages"] == "1-9"
    _check_against_records(library)
    page = library.cluster("Author 3")
    years = [p.get("year") or 0 for p in page.papers]
    assert years == sorted(years, reverse=True)


def test_index_built_in_search_processes_equals_the_one_built_inline(tmp_path, monkeypatch):
    # Above INLINE_BUILD_BELOW the cluster keys are sorted (and the searches built) in processes of their own.
    import tui.index.build as build

    papers = [
        paper(f"Paper {i} on topic {i % 5}", [f"Author {i % 11}", f"Zoë Ünal {i % 4}"], 2000 + i % 7) for i in range(60)
    ]
    built = {}
    for threshold in (0, 10**9):
        monkeypatch.setattr(build, "INLINE_BUILD_BELOW", threshold)
        library = build_store(tmp_path / f"s{threshold}", papers)
        _check_against_records(library)
        index_dir = library.index.dir
        assert not list(index_dir.glob("*.partial.*"))  # every file handed to a search process was taken
        built[threshold] = {f.name: f.read_bytes() for f in index_dir.iterdir()}
    assert built[0] == built[10**9]
    assert [hit.name for hit in library.search("zoe unal 3")][:1] == ["Zoë Ünal 3"]


def test_index_matches_records_on_real_dblp_entries(tmp_path):
    dump = need_shared("data", "dblp", "dblp-2016-conf.bib.xz")
    text = lzma.open(dump, "rt", encoding="utf-8").read(2_000_000)
    sample = tmp_path / "sample.bib"
    sample.write_text(text[: text.rfind("\n@")] + "\n", encoding="utf-8")
    root = tmp_path / "s"
    report = import_files(StoreLocation(root, False, "option"), [sample], "bibtex")
    assert report.read > 3000
    _check_against_records(Library.open(StoreLocation(root, True, "option")))


def test_dedupe_key_hashes_are_the_same_on_every_machine_and_run():
    # Stores keep these hashes: the next import recognises its duplicates by them. XXH3-64 of the empty
    # input is 0x2D06800538D394C2 by the specification; the others were computed once, when version 4
    # of the index introduced the hash, and must never change without a new index version.
    assert key_hash("") == 0x2D06800538D394C2 - (1 << 63)
    assert key_hash("doi:10.1145/3368089") == 3000291094051071553
    assert key_hash("tya:attentionisallyouneed|2017|ashish vaswani") == 3585223048729950307
    script = "from tui.index.keys import key_hash; print(key_hash('src:dblp:conf/acl/X16'))"
    command = [sys.executable, "-c", script]
    runs = [subprocess.run(command, capture_output=True, text=True, check=True) for _ in range(2)]
    assert {run.stdout.strip() for run in runs} == {str(key_hash("src:dblp:conf/acl/X16"))}  # other hash seeds


def test_packed_sort_equals_the_general_sort():
    rng = np.random.default_rng(7)
    a, b, c = (rng.integers(0, hi, 5000) for hi in (300, 40, 2000))
    packed = _sorted_triples(a, b, c)
    order = np.lexsort((c, b, a))
    for got, column in zip(packed, (a, b, c), strict=True):
        assert got.tolist() == column[order].tolist()
    # Too wide to pack: the general sort gives the same order.
    wide = _sorted_triples(a, b, c + (1 << 40))
    assert wide[2].tolist() == (c[order] + (1 << 40)).tolist()


def test_row_clusters_number_rows_by_their_sorted_keys():
    keys = ["yang wenkai", "", "lin yankai", "yang wenkai", "\u00e9mile", "lin yankai", "", "a"]
    clusters = RowClusters()
    for key in keys:
        clusters.add(key)
    sorted_keys, place = clusters.sorted()
    assert sorted_keys == sorted(set(keys) - {""})
    clusters.add("lin yankai")  # a row of a known cluster, after the sort
    of_row = clusters.row_places(place)
    assert of_row.tolist() == [sorted_keys.index(key) if key else -1 for key in [*keys, "lin yankai"]]
    assert RowClusters().sorted()[0] == []
    only_empty = RowClusters()
    only_empty.add("")
    assert only_empty.row_places(only_empty.sorted()[1]).tolist() == [-1]


def _plain_trigrams(keys: list[str]) -> dict[int, list[int]]:
    """Each padded trigram's code and the sorted keys containing it, the slow obvious way."""
    found: dict[int, set[int]] = {}
    for owner, key in enumerate(keys):
        padded = f"  {key} "
        for start in range(len(padded) - 2):
            a, b, c = map(ord, padded[start : start + 3])
            found.setdefault((a << 42) | (b << 21) | c, set()).add(owner)
    return {code: sorted(owners) for code, owners in sorted(found.items())}


def _as_dict(index: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[int, list[int]]:
    codes, offsets, owners = index
    return {int(code): owners[offsets[i] : offsets[i + 1]].tolist() for i, code in enumerate(codes)}


def test_trigram_index_equals_the_plain_count():
    few_characters = ["yang wenkai", "lin yankai", "wenkai yang", "a", "aaaa", "yang wen kai"]
    rng = np.random.default_rng(3)
    # Thousands of distinct characters: the trigrams no longer fit the 16-bit sort.
    alphabet = [chr(c) for c in range(0x4E00, 0x5E00)] + list("abc ")
    many_characters = sorted({"".join(rng.choice(alphabet, rng.integers(1, 8))).strip() or "x" for _ in range(3000)})
    for keys in (few_characters, many_characters):
        assert _as_dict(_trigram_index(keys)) == _plain_trigrams(keys)
    assert _as_dict(_trigram_index([])) == {}


@pytest.mark.parametrize("wide", [False, True])
def test_key_word_index_equals_the_words_of_each_key(wide: bool):
    rng = np.random.default_rng(11)
    # Letters, digits (Arabic-Indic too), "_", punctuation, a combining mark, CJK, a NUL and spaces.
    alphabet = [*"abcxyz019_-.' ", "\u0663", "\u0301", "\u00e9", "\u4e2d", "\u6587", "\x00", "\u00b2"]
    if wide:  # thousands of distinct letters: few fit in one packed number, most words are "long"
        alphabet += [chr(c) for c in range(0x4E00, 0x4E00 + 3000)] + [" "] * 600
    keys = ["yang wenkai", "lin yankai 0001", "", "o'neil", "a_b-c"]
    keys += ["".join(rng.choice(alphabet, rng.integers(0, 12))) for _ in range(3000)]
    keys += ["".join(rng.choice(alphabet, rng.integers(10, 40))) for _ in range(300)]  # words past one number
    keys += ["x" * 20, "x" * 20 + " " + "x" * 21, "abc" * 7]  # equal long words, and near misses
    vocab, offsets, owners, key_chars = _key_word_index(keys)
    expected: dict[str, set[int]] = {}
    for number, key in enumerate(keys):
        for word in key_tokens(key):
            expected.setdefault(word, set()).add(number)
    assert vocab == sorted(expected)
    assert {w: owners[offsets[i] : offsets[i + 1]].tolist() for i, w in enumerate(vocab)} == {
        w: sorted(found) for w, found in expected.items()
    }
    assert key_chars.tolist() == [sum(map(len, key_tokens(key))) for key in keys]
    assert _key_word_index([])[0] == []


def test_numbers_by_hash_finds_every_hash_even_in_taken_slots():
    rng = np.random.default_rng(5)
    hashes = rng.integers(-(1 << 62), 1 << 62, 3000, dtype=np.int64)
    # Hashes that agree in their low 32 bits share a slot of the table: found by the fallback.
    hashes[1000:1100] = (hashes[1000:1100] & ~np.int64(0xFFFFFFFF)) | (hashes[0] & 0xFFFFFFFF)
    hashes = np.unique(hashes)
    rng.shuffle(hashes)
    wanted_at = rng.integers(0, len(hashes), 20000)
    assert _numbers_by_hash(hashes, hashes[wanted_at]).tolist() == wanted_at.tolist()
    absent = np.setdiff1d(np.arange(1, 50, dtype=np.int64), hashes)[:1]
    assert _numbers_by_hash(hashes, np.append(hashes[:3], absent)) is None
    assert _numbers_by_hash(hashes[:0], hashes[:2]) is None
    assert _numbers_by_hash(hashes, hashes[:0]).tolist() == []


def _imported_and_checked(tmp_path, bibtex: str, imported: int) -> Library:
    """A store of ``bibtex`` whose one duplicate merged, its index checked against its records."""
    bib = tmp_path / "dup.bib"
    bib.write_text(bibtex, encoding="utf-8")
    report = import_files(StoreLocation(tmp_path / "s", False, "option"), [bib], "bibtex")
    assert (report.imported, report.merged + report.unchanged) == (imported, 1)
    library = Library.open(StoreLocation(tmp_path / "s", True, "option"))
    _check_against_records(library)
    return library


def test_a_name_first_seen_in_a_merged_duplicate_still_authors_later_papers(tmp_path):
    # The parser sends a name's parse once, with its first paper; here that paper is a duplicate.
    library = _imported_and_checked(
        tmp_path,
        "@inproceedings{a, title={Alpha}, author={Ada Lovelace}, doi={10.1/x}, year={2001}}\n"
        "@inproceedings{b, title={Alpha}, author={Ada Lovelace and Bob Byron}, doi={10.1/x}, year={2001}}\n"
        "@inproceedings{c, title={Gamma}, author={Bob Byron and Ada Lovelace}, year={2002}}\n"
        "@inproceedings{d, title={Delta}, author={Cy Young and Bob Byron}, year={2003}}\n",
        imported=3,
    )
    authors = {p["title"]: [a["name"] for a in p["authors"]] for p in map(library.paper, range(3))}
    assert authors == {
        "Alpha": ["Ada Lovelace"],
        "Gamma": ["Bob Byron", "Ada Lovelace"],
        "Delta": ["Cy Young", "Bob Byron"],
    }
    assert library.stats()["author_rows"] == 3  # one row each: Bob's made once, when "Gamma" needed it


def test_a_merge_left_for_the_commit_finds_its_names_after_another_file(tmp_path, monkeypatch):
    # The duplicate of an author-less paper merges at commit, after the next file's reader processes
    # (which know nothing of the first file's names) have sent theirs.
    import tui.store.writer as writer

    monkeypatch.setattr(writer, "RECENT_SHARDS_KEPT", 0)  # a full shard is written at once: the merge waits
    first, second = tmp_path / "first.bib", tmp_path / "second.bib"
    filler = "".join(f"@inproceedings{{f{i}, title={{Filler {i}}}, author={{Zed Zhou}}}}\n" for i in range(1100))
    first.write_text(
        "@inproceedings{p, title={No authors yet}, doi={10.1/p}}\n"
        + filler
        + "@inproceedings{q, title={No authors yet}, doi={10.1/p}, author={Zed Zhou}}\n",
        encoding="utf-8",
    )
    second.write_text("@inproceedings{r, title={Other}, author={Yan Young}}\n", encoding="utf-8")
    import_files(StoreLocation(tmp_path / "s", False, "option"), [first, second], "bibtex")
    library = Library.open(StoreLocation(tmp_path / "s", True, "option"))
    assert [a["name"] for a in library.paper(0)["authors"]] == ["Zed Zhou"]
    assert [a["name"] for a in library.paper(1101)["authors"]] == ["Yan Young"]


def test_a_word_first_seen_in_a_merged_duplicate_is_still_searchable(tmp_path):
    # The parser sends a word's spelling with the first paper that has it; here that paper is a duplicate.
    library = _imported_and_checked(
        tmp_path,
        "@inproceedings{a, title={Alpha beta}, author={Ada Lovelace}, doi={10.1/x}, year={2001}}\n"
        "@inproceedings{b, title={Alpha beta gamma}, author={Ada Lovelace}, doi={10.1/x}, year={2001}}\n"
        "@inproceedings{c, title={Gamma delta}, author={Ada Lovelace}, year={2002}}\n",
        imported=2,
    )
    assert [hit.title for hit in library.search_titles("gamma")] == ["Gamma delta"]


def test_title_postings_written_during_the_import_match_the_records(tmp_path, monkeypatch):
    # The postings go to files shard by shard (with RECENT_SHARDS_KEPT 0, as each fills); a later
    # duplicate is merged into a shard already written, and a second import indexes untouched shards.
    import tui.index.build as build
    import tui.store.writer as writer

    monkeypatch.setattr(writer, "RECENT_SHARDS_KEPT", 0)
    monkeypatch.setattr(build, "INLINE_BUILD_BELOW", 0)  # the title search in its own process
    papers = [
        paper(f"Topic {i % 13} study {i} of data", [f"Author {i % 5}"], 2000 + i % 9, doi=f"10.1/{i}")
        for i in range(2100)
    ]
    papers.append(paper("Topic 3 study 3 of data", ["Author 3"], 2003, doi="10.1/3", pages="1-2"))
    build_store(tmp_path / "s", papers)
    library = build_store(tmp_path / "s", [paper("Fresh words", ["Z"], 2020)])
    index_dir = library.index.dir
    assert not list(index_dir.glob("*.partial.*"))
    words = (index_dir / files.TITLE_WORDS).read_text(encoding="utf-8").split("\n")
    offsets, owners = np.load(index_dir / files.TITLE_WORD_OFFSETS), np.load(index_dir / files.TITLE_WORD_PAPERS)
    postings = {(word, int(p)) for i, word in enumerate(words) for p in owners[offsets[i] : offsets[i + 1]]}
    expected = {(word, i) for i in library.index.paper_ids() for word in title_words(library.paper(i)["title"])}
    assert postings == expected
    assert sum(offsets[i + 1] - offsets[i] for i in range(len(words))) == len(expected)  # each once


def test_merges_into_a_written_shard_patch_it_and_its_index(tmp_path, monkeypatch):
    # Duplicates of the first, a middle and the last paper of a shard already written: the shard file is
    # patched from the first changed record on, and every record after it moves in the index.
    import tui.store.writer as writer
    from tui.store.shards import read_shard
    from tui.store.store import Store, paper_shard_name

    monkeypatch.setattr(writer, "RECENT_SHARDS_KEPT", 0)  # a full shard is written at once: the merges wait
    originals = "".join(
        f"@inproceedings{{o{i}, title={{Paper {i}}}, author={{Ann Ames}}, doi={{10.1/{i}}}}}\n" for i in range(1100)
    )
    duplicates = (
        "@inproceedings{d0, title={Paper 0}, author={Ann Ames}, doi={10.1/0}, year={2001}, abstract={Now longer.}}\n"
        "@inproceedings{d5, title={Paper 500}, author={Ann Ames}, doi={10.1/500}, url={https://example.org/500}}\n"
        "@inproceedings{d9, title={Paper 1023}, author={Ann Ames}, doi={10.1/1023}, booktitle={A Venue}}\n"
    )
    bib = tmp_path / "dups.bib"
    bib.write_text(originals + duplicates, encoding="utf-8")
    report = import_files(StoreLocation(tmp_path / "s", False, "option"), [bib], "bibtex")
    assert (report.imported, report.merged + report.unchanged) == (1100, 3)
    library = Library.open(StoreLocation(tmp_path / "s", True, "option"))
    _check_against_records(library)
    shard = read_shard(Store(tmp_path / "s", read_only=True).gen_dir / paper_shard_name(0), "papers")
    assert sorted(shard) == list(range(1024))
    assert all(library.index.paper(paper_id) == record for paper_id, record in shard.items())
    assert (library.paper(0)["year"], library.paper(0)["abstract"]) == (2001, "Now longer.")
    assert "https://example.org/500" in [link["url"] for link in library.paper(500)["links"]]
    assert library.paper(1023)["venue"] == "A Venue"
    assert library.paper(1)["title"] == "Paper 1"


@pytest.mark.parametrize("count", [0, 1, 7, 63, 64, 150])
def test_word_hashes_are_each_words_hash_as_int64s(count: int):
    words = [f"word{i}" for i in range(count)]
    assert np.frombuffer(word_hashes(words), dtype=np.int64).tolist() == [hash(w) for w in words]


def test_many_records_read_at_once_equal_the_records_read_one_by_one(tmp_path):
    from tui.index.reader import _ANNOUNCED_FROM

    library = build_store(tmp_path / "s", [paper(f"Paper {i}", [f"Author {i % 7}"], 1990 + i % 30) for i in range(300)])
    index = library.index
    ids = list(range(299, -1, -3))  # newest first, as a cluster page asks: spans out of file order
    assert len(ids) >= _ANNOUNCED_FROM  # the kernel is told about them before they are read
    assert index.papers(ids) == [index.papers([i])[0] for i in ids]
    assert [p["title"] for p in index.papers(ids[:3])] == ["Paper 299", "Paper 296", "Paper 293"]
