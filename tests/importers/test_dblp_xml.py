"""DBLP XML: entity resolution (DTD file, inline DTD, none), CRLF, run-together records, person records."""

from __future__ import annotations

import gzip
import lzma
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, need_shared
from tests.importers.conftest import FIXTURES, by_title, names, read_items, read_papers
from tui.errors import ImportFormatError
from tui.importers import detect_format
from tui.models import PaperInput, RowUpdate


def test_inline_dtd_entities_resolve() -> None:
    (paper,), report = read_papers("dblp-xml", FIXTURES / "dblp-inline-dtd.xml")
    assert names(paper) == ["Jörg Möller"]
    assert paper.title == "Inline Entities"  # the trailing period DBLP adds is dropped
    assert (paper.type, paper.venue_kind, paper.venue, paper.year) == ("Journal Article", "Journal", "J. Inline", 2020)
    assert (report.read, report.skipped) == (1, {})


def test_external_entities_in_the_file_are_never_fetched() -> None:
    """An inline DTD declaring a SYSTEM entity (XXE): the file is refused, nothing is read from disk."""
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    with pytest.raises(ImportFormatError, match="Entity 'secret' not defined") as raised:
        read_papers("dblp-xml", FIXTURES / "dblp-xxe.xml")
    assert not hostname or hostname not in str(raised.value)


def test_crlf_run_together_latin1_without_doctype() -> None:
    items, report = read_items("dblp-xml", FIXTURES / "dblp-crlf-run-together.xml")
    papers = [item for item in items if isinstance(item, PaperInput)]
    updates = [item for item in items if isinstance(item, RowUpdate)]
    found = by_title(papers)
    paper = found["Run Together Records"]  # inline <i> markup reduced to its text
    assert names(paper) == ["Yang Liu 0003", "Wenkai Yang", "René Müller"]  # ISO-8859-1 byte and &uuml;
    assert paper.authors[0].orcid == "0000-0002-1825-0097"
    assert (paper.source, paper.source_key, paper.doi) == ("dblp", "conf/acl/LiuY21", "10.18653/v1/2021.acl-long.99")
    assert paper.links == [
        {"kind": "doi", "url": "https://doi.org/10.18653/v1/2021.acl-long.99"},
        {"kind": "url", "url": "https://aclanthology.org/2021.acl-long.99.pdf"},
        {"kind": "site", "url": "https://dblp.org/db/conf/acl/acl2021-1.html#LiuY21"},
    ]
    thesis = found["A Thesis"]
    assert (thesis.type, thesis.venue_kind, thesis.venue) == ("PhD Thesis", "Thesis", "Example University")
    # The www person record: the row key of a name-keyed row is "name:" + the name with its suffix.
    assert updates == [RowUpdate("name:Yang Liu 0003", "0000-0002-1825-0097", "https://example.org/~yliu")]
    assert report.read == 5
    assert report.skipped == {"invalid year": 1, "no title": 1}
    assert any("(journals/x/Bad20): invalid year" in problem for problem in report.problems)


def test_system_doctype_with_dtd_option_beside_or_builtin(tmp_path: Path) -> None:
    expected = ["André Berton", "Rainer Bischoff 0004"]
    (builtin,), _ = read_papers("dblp-xml", FIXTURES / "dblp-system-dtd.xml")  # no dblp.dtd beside it
    assert names(builtin) == expected
    assert builtin.doi == "10.1007/3-540-36678-4_6"
    dtd = need_shared("data", "dblp", "dblp.dtd")
    (with_option,), _ = read_papers("dblp-xml", FIXTURES / "dblp-system-dtd.xml", dtd=dtd)
    assert names(with_option) == expected
    shutil.copy(dtd, tmp_path / "dblp.dtd")
    shutil.copy(FIXTURES / "dblp-system-dtd.xml", tmp_path / "x.xml")
    (beside,), _ = read_papers("dblp-xml", tmp_path / "x.xml")
    assert names(beside) == expected


def test_missing_dtd_option_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="DTD not found"):
        read_papers("dblp-xml", FIXTURES / "dblp-system-dtd.xml", dtd=tmp_path / "nope.dtd")


def test_compressed_copies(tmp_path: Path) -> None:
    raw = (FIXTURES / "dblp-crlf-run-together.xml").read_bytes()
    (tmp_path / "d.xml.gz").write_bytes(gzip.compress(raw))
    (tmp_path / "d.xml.xz").write_bytes(lzma.compress(raw))
    plain, _ = read_items("dblp-xml", FIXTURES / "dblp-crlf-run-together.xml")
    assert read_items("dblp-xml", tmp_path / "d.xml.gz")[0] == plain
    assert read_items("dblp-xml", tmp_path / "d.xml.xz")[0] == plain


def test_truncated_and_foreign_files_are_format_errors() -> None:
    with pytest.raises(ImportFormatError, match="not well-formed"):
        read_papers("dblp-xml", FIXTURES / "dblp-truncated.xml")
    with pytest.raises(ImportFormatError):
        read_papers("dblp-xml", FIXTURES / "quirks.bib")


def test_real_sample_with_person_records_and_a_broken_record() -> None:
    path = need_shared("data", "dblp", "xml-samples", "evelasquez-4__dblp.xml")
    items, report = read_items("dblp-xml", path, dtd=need_shared("data", "dblp", "dblp.dtd"))
    papers = by_title([item for item in items if isinstance(item, PaperInput)])
    spectre = papers["Spectre Attacks: Exploiting Speculative Execution"]
    assert names(spectre)[7:9] == ["Thomas Prescher 0002", "Michael Schwarz 0001"]
    assert (spectre.type, spectre.venue) == ("Preprint", "meltdownattack.com")  # publtype="informal"
    updates = {item.source_id: item for item in items if isinstance(item, RowUpdate)}
    assert updates["name:Frédéric Loulergue"].orcid == "0000-0001-9301-7829"
    assert updates["name:Hua Lu 0001"].homepage == "http://luhua.ruc.dk/"
    assert report.read == 23
    assert report.skipped == {"invalid year": 1}  # <year>" "</year>
    assert "journals/acta/Schonhage77" in report.problems[0]


def test_real_samples_all_shapes() -> None:
    dtd = need_shared("data", "dblp", "dblp.dtd")
    folder = need_shared("data", "dblp", "xml-samples")
    counts = {}
    for name in sorted(p.name for p in folder.iterdir()):
        papers, report = read_papers("dblp-xml", folder / name, dtd=dtd)
        counts[name] = (report.read, len(papers))
        assert detect_format(folder / name).name == "dblp-xml"  # also past a 4 KB inline DTD
    assert counts == {
        "bsrankings__dblp-filtered.xml": (4519, 4519),
        "cutemegha27-FYP_1__test.xml": (851, 814),  # 37 www records without homepage or ORCID
        "evelasquez-4__dblp.xml": (23, 14),
        "shenka123__dblp.xml": (131, 131),
        "xcurator__dblp-sample.xml": (1288, 1288),
    }
    shenka, _ = read_papers("dblp-xml", folder / "shenka123__dblp.xml")
    pont = by_title(shenka)["Surface Roughness"]
    assert (pont.authors[0].name, pont.authors[0].orcid) == ("Sylvia C. Pont", "0000-0002-9834-9600")
    assert pont.type == "Encyclopedia Entry"
    xcurator, _ = read_papers("dblp-xml", folder / "xcurator__dblp-sample.xml")  # no DOCTYPE, &eacute; entities
    assert names(by_title(xcurator)["Speech Recognition"])[0] == "André Berton"


_COUNT_AND_RSS = """
import resource, sys
from pathlib import Path
from tui.importers import IMPORTERS, ImportReport, Source
report = ImportReport()
with Source(Path(sys.argv[1])) as source:
    count = sum(1 for _ in IMPORTERS["dblp-xml"].read(source, report, {}))
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _synthetic_dblp(path: Path, records: int) -> None:
    with path.open("w") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<dblp>\n')
        for n in range(records):
            out.write(
                f'<inproceedings mdate="2020-01-01" key="conf/x/P{n}"><author>Author {n % 997}</author>'
                f"<author>Other Person {n % 89}</author><title>Synthetic paper number {n} on streaming.</title>"
                f"<year>{1990 + n % 30}</year><booktitle>X</booktitle><pages>{n}-{n + 9}</pages></inproceedings>\n"
            )
        out.write("</dblp>\n")


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Peak RSS reading 80k records is within a few MB of reading 5k: records are freed as read."""
    peaks = {}
    for records in (5_000, 80_000):
        path = tmp_path / f"d{records}.xml"
        _synthetic_dblp(path, records)
        result = subprocess.run(
            [sys.executable, "-c", _COUNT_AND_RSS, str(path)], capture_output=True, text=True, cwd=REPO, check=True
        )
        count, peak_kb = map(int, result.stdout.split())
        assert count == records
        peaks[records] = peak_kb
    assert peaks[80_000] - peaks[5_000] < 8 * 1024, peaks  # the big file is ~20 MB of XML
