"""BibTeX: every quirk on hand-written fixtures, then the real files in ../shared."""

from __future__ import annotations

import gzip
import lzma
from pathlib import Path

import pytest

from tests.conftest import need_shared
from tests.importers.conftest import FIXTURES, by_title, names, read_papers
from tui.errors import ImportFormatError
from tui.importers.bibtex import clean_name, split_authors
from tui.importers.bibtex_syntax import CarefulParser, fast_fields


def test_split_authors_on_the_word_and_only() -> None:
    assert split_authors("Anderson, Andrew and Sanders, Sandy") == ["Anderson, Andrew", "Sanders, Sandy"]
    assert split_authors("{Barnes and Noble} and Roy, B.") == ["{Barnes and Noble}", "Roy, B."]
    assert split_authors("A. Band and C. Dand and others") == ["A. Band", "C. Dand"]


def test_names_last_first_and_latex() -> None:
    assert clean_name('M{\\"u}ller, J{\\"u}rgen') == "Jürgen Müller"
    assert clean_name("van der Berg, Jan") == "Jan van der Berg"
    assert clean_name("Ludwig, Jr., Carl") == "Carl Ludwig Jr."
    assert clean_name("Yang Liu 0003") == "Yang Liu 0003"


@pytest.mark.parametrize(
    "entry",
    [
        # DBLP's proceedings: one editor per field, a repeated ISBN, an empty author field last.
        "proceedings{conf/x/2009,\n  editor = {A. One},\n  editor = {B. Two},\n  isbn = {1},\n  isbn = {2},"
        "\n  title = {T},\n  author = {}\n}",
        # Names in any case, an author field repeated after an empty one.
        "article{k,\n  Author = {},\n  AUTHOR = {C. Three},\n  author = {D. Four},\n  Title = {T}\n}",
    ],
)
def test_fast_path_keeps_repeated_fields_as_the_careful_parser_does(entry: str) -> None:
    fast = fast_fields(entry)
    assert fast is not None  # these shapes no longer need the careful parser
    assert fast == CarefulParser(entry, {}).entry()


def test_quirks_fixture() -> None:
    papers, report = read_papers("bibtex", FIXTURES / "quirks.bib")
    found = by_title(papers)
    macro = found["Macros and Concatenation"]
    assert macro.venue == "Proceedings of the Annual Meeting of the ACL, Volume 1"  # @string + '#'
    assert macro.year == 2019  # a macro standing for the year
    assert names(macro) == ["John Smith", "Jürgen Müller"]
    quoted = found["The \u201cPractitioners'\u201d View of Q&A \u2013 a Study"]  # "...", {'}, {\&}, {--}
    assert names(quoted) == ["Saikat Mondal", "B. Roy", "Barnes and Noble"]
    assert quoted.doi == "10.18653/v1/2021.acl-long.1"
    assert {"kind": "url", "url": "https://aclanthology.org/2021.acl-long.1"} in quoted.links
    nested = found["A Deeply Nested Title with tabs"]
    assert (nested.type, nested.venue_kind, nested.venue) == ("Journal Article", "Journal", "Journal of BibTeX Studies")
    assert names(nested) == ["Andrew Anderson", "Sandy Sanders"]  # "others" is not an author
    assert nested.pages == "1-10"
    assert nested.abstract == "First line second line."
    duplicate_key = found["A different paper under a duplicate key"]  # same key, different paper: both kept
    assert names(duplicate_key) == ["Jan van der Berg", "Carl Ludwig Jr."]
    assert found["Parenthesised Entry"].year == 2018
    thesis = found["A Thesis"]
    assert (thesis.type, thesis.venue_kind, thesis.venue) == ("PhD Thesis", "Thesis", "Example University")
    last = found["Still Imported After Bad Entries"]  # an "@" starting an abstract line is not an entry
    assert last.abstract == "An abstract whose line @starts with an at sign but is not an entry."
    assert all(p.source == "bibtex" and p.source_key == "" for p in papers)  # non-DBLP keys are not identities
    assert report.read == 13  # @string, @comment and @preamble are not records
    assert len(papers) == 7
    assert report.skipped == {
        "no title": 1,
        "invalid year": 1,
        "malformed entry: no ',' after the citation key": 1,
        "malformed entry: unbalanced braces in a field value": 1,
        "malformed entry: unbalanced braces in a quoted value": 1,  # the quote runs into "year = {...}"
        "malformed entry: no '=' after field 'title'": 1,
    }
    assert any(problem.startswith(f"{FIXTURES / 'quirks.bib'}:61: invalid year") for problem in report.problems)


def test_crlf_line_endings() -> None:
    papers, _ = read_papers("bibtex", FIXTURES / "crlf.bib")
    assert [p.title for p in papers] == ["CRLF Line Endings", "Second CRLF Entry"]
    assert names(papers[1]) == ["Line Feed"]


def test_dblp_keys_are_source_keys() -> None:
    (paper,), _ = read_papers("bibtex", FIXTURES / "dblp-sample.bib")
    assert (paper.source, paper.source_key) == ("dblp", "conf/acl/SampleX16")
    assert names(paper) == ["Yang Liu 0003", "Wenkai Yang"]  # the homonym suffix stays on the name
    assert {"kind": "site", "url": "https://dblp.org/db/conf/acl/acl2016-1.html#SampleX16"} in paper.links


def test_compressed_copies_read_the_same(tmp_path: Path) -> None:
    text = (FIXTURES / "quirks.bib").read_bytes()
    (tmp_path / "q.bib.gz").write_bytes(gzip.compress(text))
    (tmp_path / "q.bib.xz").write_bytes(lzma.compress(text))
    plain, _ = read_papers("bibtex", FIXTURES / "quirks.bib")
    for name in ("q.bib.gz", "q.bib.xz"):
        papers, _ = read_papers("bibtex", tmp_path / name)
        assert papers == plain


def test_truncated_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="truncated"):
        read_papers("bibtex", FIXTURES / "truncated.bib")
    cut = lzma.compress((FIXTURES / "quirks.bib").read_bytes())[:-40]
    (tmp_path / "cut.bib.xz").write_bytes(cut)
    with pytest.raises(ImportFormatError, match="truncated or corrupt"):
        read_papers("bibtex", tmp_path / "cut.bib.xz")


def test_not_bibtex_is_a_format_error() -> None:
    with pytest.raises(ImportFormatError, match="no BibTeX entries"):
        read_papers("bibtex", FIXTURES / "not-bibtex.txt")


def test_real_dblp_dump_first_entries() -> None:
    dump = need_shared("data", "dblp", "dblp-2016-conf.bib.xz")
    papers, report = read_papers("bibtex", dump, limit=3000)
    assert report.skipped == {}
    first = papers[0]
    assert first.title == "Research on a feature based spatio-temporal data model"
    assert names(first) == ["Weihong Cui", "Wenzhong Shi", "Xiaojuan Li", "Luojing", "Zhenguo Niu"]
    assert (first.source_key, first.year, first.venue) == ("conf/3dgis/CuiSLLN06", 2006, "3D-GIS")
    assert first.pages == "151-167"
    assert first.doi == "10.1007/978-3-540-36998-1_12"
    found = {p.source_key: p for p in papers}
    assert names(found["conf/3dgis/MasRW06"]) == ["Stephan Mäs", "Wolfgang Reinhardt 0002", "Fei Wang"]
    # dblp.yaml writes one "editor = {...}" per editor: all of them are kept, in order.
    proceedings = found["conf/3dgis/2006"]
    assert (proceedings.type, names(proceedings)) == (
        "Proceedings",
        ["Alias Abdul-Rahman", "Sisi Zlatanova", "Volker Coors"],
    )


def test_real_paperlists_bibtex_house_styles() -> None:
    path = need_shared("data", "bibtex", "paperlists_bibtex.bib.xz")
    papers, report = read_papers("bibtex", path, limit=2000)
    assert report.skipped == {}
    assert papers[0].title == "Flash3D: Feed-Forward Generalisable 3D Scene Reconstruction from a Single Image"
    assert papers[0].venue == "International Conference on 3D Vision 2025"
    loop = by_title(papers)["LoopSplat: Loop Closure by Registering 3D Gaussian Splats"]
    assert names(loop)[2] == "Erik Sandström"  # Sandstr{\"o}m
    assert by_title(papers)["SMORE: Simultaneous Map and Object REconstruction"].year == 2025


def test_real_acl_style_bibtex() -> None:
    path = need_shared("data", "bibtex", "gwf-anthology+abstracts.bib.gz")
    papers, report = read_papers("bibtex", path)
    assert (report.read, len(papers), report.skipped) == (988, 988, {})
    found = by_title(papers)
    paper = found[
        "Reproducibility Challenges and Their Impacts on Technical Q&A Websites: The Practitioners' Perspectives"
    ]
    assert names(paper) == ["Saikat Mondal", "B. Roy"]
    assert paper.year == 2021
    # A citation key with a space in it, and "Last, First" names split on "and" only.
    mapping = found["Mapping organic layer thickness and fuel load of the boreal forest in Alberta, Canada"]
    assert names(mapping)[:2] == ["Chelene C. Hanes", "M. Wotton"]
    assert mapping.doi == "10.1016/j.geoderma.2022.115827"
    assert sum(1 for p in papers if p.abstract) >= 649  # 978 abstract fields, 329 of them empty


def test_latin1_file_falls_back_to_windows_1252() -> None:
    (paper,), _ = read_papers("bibtex", FIXTURES / "latin1.bib")
    assert paper.title == "Café \u201cQuotes\u201d"
    assert names(paper) == ["Jürgen Müller"]
