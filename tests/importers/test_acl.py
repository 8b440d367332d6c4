"""ACL Anthology XML: volume files and archives, markup reduced to text, author ids as rows."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from tests.conftest import need_shared
from tests.importers.conftest import FIXTURES, by_title, read_papers
from tui.errors import ImportFormatError

VOLUME = FIXTURES / "acl" / "xml" / "P99.xml"


def test_volume_with_name_variants() -> None:
    (paper,), report = read_papers("acl", VOLUME)
    assert paper.title == "BERT-style Models for H-divergence"  # <fixed-case> kept, <tex-math> decoded
    assert [(a.name, a.source_id) for a in paper.authors] == [
        ("Yang Liu", "acl:yang-liu-ict"),  # two people, two rows, one "Yang Liu" cluster
        ("Yang Liu", "acl:yang-liu-icsi"),
        ("Steven Abney", "acl:steven-abney"),  # a variant spelling shown as its canonical name
        ("Solo Name", ""),
    ]
    assert paper.abstract == "We study (i) things and NLP."
    assert (paper.venue, paper.venue_kind, paper.year, paper.type) == ("ACL", "Conference", 2099, "Conference Paper")
    assert (paper.pages, paper.doi, paper.source, paper.source_key) == (
        "1-11",
        "10.18653/v1/P99-1001",
        "acl",
        "P99-1001",
    )
    assert {"kind": "pdf", "url": "https://aclanthology.org/P99-1001.pdf"} in paper.links
    assert (report.read, report.skipped) == (2, {"no title": 1})


def test_volume_without_name_variants(tmp_path: Path) -> None:
    shutil.copy(VOLUME, tmp_path / "P99.xml")
    (paper,), _ = read_papers("acl", tmp_path / "P99.xml")
    assert [(a.name, a.source_id) for a in paper.authors][2] == ("Steve Abney", "")


def test_tar_xz_archive(tmp_path: Path) -> None:
    archive = tmp_path / "anthology.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(FIXTURES / "acl", arcname="anthology")
    papers, report = read_papers("acl", archive)
    assert [a.name for a in papers[0].authors][2] == "Steven Abney"
    assert report.read == 2


def test_foreign_and_truncated_files(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="not an ACL Anthology volume"):
        read_papers("acl", FIXTURES / "dblp-inline-dtd.xml")
    (tmp_path / "cut.xml").write_bytes(VOLUME.read_bytes()[:700])
    with pytest.raises(ImportFormatError, match="not well-formed"):
        read_papers("acl", tmp_path / "cut.xml")


def test_real_anthology_volume(tmp_path: Path) -> None:
    """P19 (ACL 2019) from the 2021-06 snapshot, with the snapshot's YAML beside it."""
    archive = need_shared("data", "acl-anthology", "acl-anthology-2021-06.tar.xz")
    wanted = {"xml/P19.xml", "xml/2020.emnlp.xml", "yaml/name_variants.yaml", "yaml/venues.yaml"}
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            relative = member.name.split("/", 1)[-1]
            if relative in wanted:
                (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / relative).write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    papers, report = read_papers("acl", tmp_path / "xml" / "P19.xml")
    found = by_title(papers)
    first = found[
        "One Time of Interaction May Not Be Enough: Go Deep with an Interaction-over-Interaction Network "
        "for Response Selection in Dialogues"
    ]
    authors = ["Chongyang Tao", "Wei Wu", "Can Xu", "Wenpeng Hu", "Dongyan Zhao", "Rui Yan"]
    assert [a.name for a in first.authors] == authors
    assert (first.venue, first.year, first.doi, first.pages) == ("ACL", 2019, "10.18653/v1/P19-1001", "1-11")
    assert "Improving Multi-turn Dialogue Modelling with Utterance ReWriter" in found
    assert report.skipped == {}
    emnlp, _ = read_papers("acl", tmp_path / "xml" / "2020.emnlp.xml")
    alignment = by_title(emnlp)["Accurate Word Alignment Induction from Neural Machine Translation"]
    assert ("Yang Liu", "acl:yang-liu-ict") in [(a.name, a.source_id) for a in alignment.authors]
    assert (alignment.venue, alignment.year) == ("EMNLP", 2020)
