"""JSON lines: paper-list records (separators, aligned ids and ORCIDs) and OpenAlex works."""

from __future__ import annotations

import pytest

from tests.conftest import need_shared
from tests.importers.conftest import FIXTURES, by_title, names, read_papers
from tui.errors import ImportFormatError
from tui.importers.jsonl import author_source_id, openalex_abstract, split_people


def test_separators_and_ids() -> None:
    assert split_people("A B;C D") == ["A B", "C D"]
    assert split_people("A B; C D") == ["A B", "C D"]
    assert split_people("A B, C D") == ["A B", "C D"]
    assert split_people(["A B", "C D"]) == ["A B", "C D"]
    assert split_people(None) == []
    assert author_source_id("~Wenkai_Yang1") == "openreview:~Wenkai_Yang1"
    assert author_source_id("/y/yankai-lin/") == "acl:yankai-lin"
    assert author_source_id("someone@example.org") == ""


def test_paper_list_fixture() -> None:
    papers, report = read_papers("jsonl", FIXTURES / "paperlists.jsonl")
    found = by_title(papers)
    focus = found["Learning to Focus"]
    assert (focus.venue, focus.venue_kind, focus.year, focus.type) == (
        "NeurIPS",
        "Conference",
        2025,
        "Conference Paper",
    )
    assert [(a.name, a.source_id, a.orcid) for a in focus.authors] == [
        ("Yiju Guo", "openreview:~Yiju_Guo1", ""),
        ("Wenkai Yang", "openreview:~Wenkai_Yang1", "0000-0002-1825-0097"),
        ("Yankai Lin", "openreview:~Yankai_Lin1", ""),
    ]
    assert focus.abstract == "An abstract."
    assert {"kind": "code", "url": "https://github.com/x/y"} in focus.links
    assert {"kind": "pdf", "url": "https://openreview.net/pdf?id=abc123"} in focus.links
    assert (focus.source, focus.source_key) == ("paperlists", "nips2025:abc123")
    acl = found["Semicolon And Space"]
    assert [(a.name, a.source_id) for a in acl.authors] == [
        ("Jingyi Zhang", "acl:jingyi-zhang"),
        ("Josef van Genabith", "acl:josef-van-genabith"),
    ]
    assert acl.doi == "10.18653/v1/2021.acl-long.24"
    comma = found["Comma Separated"]
    assert names(comma) == ["Jiasen Lu", "Vedanuj Goswami", "Devi Parikh"]
    assert {"kind": "url", "url": "https://arxiv.org/abs/1908.02265"} in comma.links
    misaligned = found["Ids That Do Not Line Up"]  # one id for two authors: ids and ORCIDs are not guessed
    assert [(a.source_id, a.orcid) for a in misaligned.authors] == [("", ""), ("", "")]
    assert (found["Workshop Paper"].venue_kind, found["Workshop Paper"].venue) == ("Workshop", "CoRL")
    assert "After The Bad Lines" in found
    assert report.read == 11
    assert report.skipped == {
        "not accepted (status Reject)": 1,
        "no title": 1,
        "invalid year": 1,
        "invalid JSON": 1,
        "not a JSON object": 1,
    }
    assert f"{FIXTURES / 'paperlists.jsonl'}:9: invalid JSON" in report.problems


def test_openalex_works() -> None:
    papers, report = read_papers("jsonl", FIXTURES / "openalex.jsonl")
    found = by_title(papers)
    oa = found["The state of OA"]
    assert [(a.name, a.source_id, a.orcid) for a in oa.authors] == [
        ("Heather Piwowar", "openalex:A5023888391", "0000-0003-1613-5981"),
        ("Jason Priem", "openalex:A5079466573", ""),
    ]
    assert oa.abstract == "Despite growing interest in Open Access (OA) in scholarly publishing"
    assert (oa.venue, oa.venue_kind, oa.type, oa.year) == ("PeerJ", "Journal", "Journal Article", 2018)
    assert (oa.doi, oa.source, oa.source_key) == ("10.7717/peerj.4375", "openalex", "W2741809807")
    assert {"kind": "pdf", "url": "https://peerj.com/articles/4375.pdf"} in oa.links
    preprint = found["A Preprint Without DOI"]
    assert (preprint.type, preprint.venue_kind, preprint.abstract) == ("Preprint", "Preprint", "")
    assert (report.read, report.skipped) == (3, {"no title": 1})
    assert openalex_abstract({"b": [1], "a": [0]}) == "a b"


def test_truncated_and_foreign_files() -> None:
    with pytest.raises(ImportFormatError, match="truncated"):
        read_papers("jsonl", FIXTURES / "jsonl-truncated.jsonl")
    with pytest.raises(ImportFormatError, match="not JSON lines"):
        read_papers("jsonl", FIXTURES / "quirks.bib")


def test_real_paperlists() -> None:
    path = need_shared("data", "paperlists", "paperlists.jsonl.xz")
    papers, report = read_papers("jsonl", path, limit=4000)
    found = by_title(papers)
    flash = found["Flash3D: Feed-Forward Generalisable 3D Scene Reconstruction from a Single Image"]
    assert (flash.venue, flash.year) == ("3DV", 2025)
    assert flash.authors[1].name == "Eldar Insafutdinov"
    assert flash.authors[1].source_id == "openreview:~Eldar_Insafutdinov3"
    assert flash.authors[1].orcid == "0000-0003-1447-121X"
    assert flash.authors[0].orcid == ""
    acl = found["A Bidirectional Transformer Based Alignment Model for Unsupervised Word Alignment"]  # line 3116
    assert [(a.name, a.source_id) for a in acl.authors] == [
        ("Jingyi Zhang", "acl:jingyi-zhang"),
        ("Josef van Genabith", "acl:josef-van-genabith"),
    ]
    assert (acl.venue, acl.year) == ("ACL", 2021)
    assert set(report.skipped) <= {"no title", "not accepted (status Reject)", "not accepted (status Withdraw)"}
