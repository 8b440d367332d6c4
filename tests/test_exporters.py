"""Exporters: BibTeX, RIS and CSL-JSON from the demo store's papers, hostile text, and `arrow-tui export`.

BibTeX output is checked three ways: a strict parser written here (brace balance, one value per
field, nothing outside entries), the project's own BibTeX importer when it is registered, and, where
installed, pybtex and a real BibTeX + pdfLaTeX run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, build_store, paper, run_cli
from tui.errors import ArrowError
from tui.exporters import EXPORT_FORMATS, bibtex_entry, export_papers, format_for_path, write_export
from tui.exporters.keys import unique_keys
from tui.exporters.people import PersonName, split_name
from tui.importers import IMPORTERS, ImportReport, Source

CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
OSC_52 = "\x1b]52;c;ZXZpbA==\x07"
HOSTILE = {
    "id": 99,
    "title": f"Evil {OSC_52}title {{unbalanced 100% & $5 #1 a_b ~x ^y \\z }} }} [/i] [@click=app.quit]",
    "authors": [
        {"name": "Tom and Jerry 0002", "row": 1},
        {"name": "Ann\x1b[2J O'Neil", "row": 2},
        {"name": "Jan van der Berg Jr.", "row": 3},
    ],
    "venue": "Proc. of {X} & Y",
    "venue_kind": "Journal",
    "year": 2020,
    "type": "Journal Article",
    "pages": "1-10",
    "doi": "https://doi.org/10.1000/a_b%c",
    "abstract": "Line one\nline two \x1b[2J with } and { and \\end{document}",
    "links": [{"kind": "pdf", "url": "https://x.org/a b{c}.pdf"}],
}
MINIMAL = [{}, {"title": "Only a title"}, {"authors": [{"name": "Solo", "row": 0}]}]


# --- a strict BibTeX reader, independent of the exporter's code -------------------------------

ENTRY_HEAD_RE = re.compile(r"@([a-z]+)\{([A-Za-z0-9]+)(,\n|\n)")
FIELD_NAME_RE = re.compile(r"\s*([a-z]+)\s*=\s*\{")
UNESCAPE = [
    (r"\textbraceleft{}", "{"),
    (r"\textbraceright{}", "}"),
    (r"\textbackslash{}", "\\"),
    (r"\textasciitilde{}", "~"),
    (r"\textasciicircum{}", "^"),
    (r"\&", "&"),
    (r"\%", "%"),
    (r"\$", "$"),
    (r"\#", "#"),
    (r"\_", "_"),
]


def parse_bib(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(type, key, fields) per entry; fails on unbalanced braces, stray text or a repeated field."""
    entries = []
    pos = 0
    while pos < len(text):
        if text[pos] in " \n":
            pos += 1
            continue
        head = ENTRY_HEAD_RE.match(text, pos)
        assert head, f"stray text at {pos}: {text[pos : pos + 60]!r}"
        entry_type, key, after = head.groups()
        pos = head.end()
        fields: dict[str, str] = {}
        while after == ",\n":
            name_match = FIELD_NAME_RE.match(text, pos)
            assert name_match, f"bad field in {key}: {text[pos : pos + 60]!r}"
            name = name_match.group(1)
            assert name not in fields, f"field {name} twice in {key}"
            depth, start, pos = 1, name_match.end(), name_match.end()
            while depth:
                assert pos < len(text), f"unbalanced braces in {key}.{name}"
                depth += {"{": 1, "}": -1}.get(text[pos], 0)
                assert depth >= 0
                pos += 1
            fields[name] = text[start : pos - 1]
            after = ",\n" if text.startswith(",\n", pos) else "\n"
            pos += len(after)
        assert text.startswith("}\n", pos), f"entry {key} not closed: {text[pos : pos + 40]!r}"
        pos += 2
        entries.append((entry_type, key, fields))
    return entries


def plain(value: str) -> str:
    """A BibTeX value as the reader sees it: escapes undone, case-protecting braces dropped."""
    for escaped, char in UNESCAPE:
        value = value.replace(escaped, f"\0{ord(char)}\0")
    value = value.replace("{", "").replace("}", "").replace("--", "\u2013")
    return re.sub(r"\0(\d+)\0", lambda m: chr(int(m.group(1))), value)


def written_names(stored: dict) -> list[str]:
    """Author names as a reader expects them: the homonym suffix gone."""
    return [re.sub(r" \d{4}$", "", ref["name"]) for ref in stored.get("authors", [])]


def typographic(title: str) -> str:
    """The exporter writes U+2010 hyphens as "-" (pdfLaTeX cannot typeset them)."""
    return title.replace("\u2010", "-")


@pytest.fixture
def cluster_papers(demo):
    papers = demo.cluster("wenkai yang").papers
    assert len(papers) == 9
    return papers


# --- BibTeX -------------------------------------------------------------------------------------


def test_bibtex_fields_of_every_demo_paper(cluster_papers):
    entries = parse_bib(export_papers(cluster_papers, "bibtex"))
    assert len(entries) == 9
    assert len({key for _, key, _ in entries}) == 9
    for stored, (entry_type, key, fields) in zip(cluster_papers, entries, strict=True):
        expected_type = {"Conference Paper": "inproceedings", "Journal Article": "article"}[stored["type"]]
        assert entry_type == expected_type
        venue_field = "booktitle" if expected_type == "inproceedings" else "journal"
        assert fields[venue_field] == stored["venue"]
        assert fields["year"] == str(stored["year"])
        assert plain(fields["title"]) == typographic(stored["title"])
        authors = [
            " ".join(reversed([part.strip() for part in plain(name).split(",")]))
            for name in fields["author"].split(" and ")
        ]
        assert authors == written_names(stored)
        assert plain(fields["abstract"]).replace("\u2013", "--") == " ".join(stored["abstract"].split()).replace(
            "\u2013", "--"
        )
        assert key.startswith(written_names(stored)[0].split()[-1].lower() + str(stored["year"]))


def test_bibtex_strips_homonym_suffix_and_keeps_author_order(cluster_papers):
    superalignment = next(p for p in cluster_papers if p["title"].startswith("Super(ficial)"))
    assert "Yankai Lin 0001" in [a["name"] for a in superalignment["authors"]]
    entry = bibtex_entry(superalignment)
    assert entry.startswith("@inproceedings{yang2025superficialalignment,\n")
    assert "Yao, Wei and Liu, Yong and Zhi, Gong and Lin, Yankai and Wen, Ji-Rong}" in entry
    assert "0001" not in entry and "0017" not in entry


def test_bibtex_protects_inner_capitals_from_lower_casing(cluster_papers):
    entry = bibtex_entry(next(p for p in cluster_papers if "Thinking-Optimal" in p["title"]))
    assert "{Thinking-Optimal}" in entry and "{LLM}" in entry


def test_bibtex_round_trips_through_the_bibtex_importer(cluster_papers, tmp_path):
    importer = IMPORTERS["bibtex"]
    bib = tmp_path / "export.bib"
    bib.write_text(export_papers([*cluster_papers, HOSTILE], "bibtex"), encoding="utf-8")
    report = ImportReport()
    with Source(bib) as source:
        read = [item for item in importer.read(source, report, {}) if hasattr(item, "title")]
    *read, hostile = read
    assert [p.title for p in read] == [typographic(p["title"]) for p in cluster_papers]
    # TeX's specials come back as typed; "Tom and Jerry" stays one author, the particle and "Jr." stay.
    assert "100% & $5 #1 a_b" in hostile.title and "\x1b" not in hostile.title
    assert [a.name for a in hostile.authors] == ["Tom and Jerry", "Ann[2J O'Neil", "Jan van der Berg Jr."]
    assert [[a.name for a in p.authors] for p in read] == [written_names(p) for p in cluster_papers]
    assert [p.year for p in read] == [p["year"] for p in cluster_papers]


def test_bibtex_parses_with_pybtex(cluster_papers):
    database = pytest.importorskip("pybtex.database", reason="pybtex not installed (optional check)")
    from pybtex.errors import set_strict_mode

    set_strict_mode(True)
    text = export_papers([*cluster_papers, HOSTILE, *MINIMAL], "bibtex")
    parsed = database.parse_string(text, "bibtex")
    assert len(parsed.entries) == 9 + 1 + len(MINIMAL)
    hostile_entry = list(parsed.entries.values())[9]
    assert [str(person) for person in hostile_entry.persons["author"]] == [
        "Jerry, {Tom and}",
        "O'Neil, Ann[2J",  # the ESC byte is gone; the printable rest of the name stays
        "van der Berg, Jr., Jan",
    ]


@pytest.mark.skipif(not (shutil.which("bibtex") and shutil.which("pdflatex")), reason="no BibTeX/pdfLaTeX here")
def test_bibtex_compiles_with_bibtex_and_pdflatex(cluster_papers, tmp_path):
    """The real toolchain: BibTeX reads the file without errors and pdfLaTeX typesets the result."""
    (tmp_path / "refs.bib").write_text(export_papers([*cluster_papers, HOSTILE, *MINIMAL], "bibtex"), "utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    assert subprocess.run(latex, cwd=tmp_path, capture_output=True).returncode == 0
    bibtex = subprocess.run(["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True)
    assert bibtex.returncode <= 1, bibtex.stdout  # 1 = warnings only (the entries with no author)
    assert "error message" not in bibtex.stdout
    final = subprocess.run(latex, cwd=tmp_path, capture_output=True, text=True)
    assert final.returncode == 0, final.stdout[-2000:]
    bbl = (tmp_path / "doc.bbl").read_text()
    assert bbl.count("\\bibitem") == 9 + 1 + len(MINIMAL)


def test_bibtex_escapes_hostile_text():
    entry = bibtex_entry(HOSTILE)
    assert not CONTROL_RE.search(entry)
    ((entry_type, key, fields),) = parse_bib(entry)
    assert (entry_type, key) == ("article", "jerry2020evil")
    assert plain(fields["title"]) == (
        "Evil ]52;c;ZXZpbA==title {unbalanced 100% & $5 #1 a_b ~x ^y \\z } } [/i] [@click=app.quit]"
    )
    assert not re.search(r"(?<!\\)[%&$#_]", fields["title"]), "an unescaped TeX special character"
    assert fields["author"] == "Jerry, {Tom and} and O'Neil, Ann[2J and van der Berg, Jr., Jan"
    assert plain(fields["journal"]) == "Proc. of {X} & Y"
    assert fields["pages"] == "1--10"
    assert fields["doi"] == "10.1000/a_b%c"  # verbatim field, as DBLP writes it
    assert fields["url"] == "https://x.org/a%20b%7Bc%7D.pdf"
    assert plain(fields["abstract"]) == "Line one line two [2J with } and { and \\end{document}"


def test_missing_fields_still_give_valid_entries():
    entries = parse_bib(export_papers(MINIMAL, "bibtex"))
    assert [(t, k) for t, k, _ in entries] == [("misc", "anon"), ("misc", "anononly"), ("misc", "solo")]
    assert entries[0][2] == {} and entries[1][2] == {"title": "Only a title"}
    assert entries[2][2] == {"author": "{Solo}"}


def test_citation_keys_are_unique_and_stable():
    twins = [{"title": "The Same", "year": 2020, "authors": [{"name": "Ann Lee", "row": 0}]}] * 3
    assert unique_keys(twins) == ["lee2020same", "lee2020samea", "lee2020sameb"]
    assert unique_keys(twins) == unique_keys(twins)
    assert unique_keys([{"title": "Über Ärger", "authors": [{"name": "Jürgen Müller", "row": 0}]}]) == ["mulleruber"]
    keys = [key for _, key, _ in parse_bib(export_papers(twins, "bibtex"))]
    assert keys == ["lee2020same", "lee2020samea", "lee2020sameb"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Yankai Lin 0001", PersonName(given="Yankai", family="Lin")),
        ("Jan van der Berg Jr.", PersonName(given="Jan", particle="van der", family="Berg", lineage="Jr.")),
        ("Muhammad Bilal Zia", PersonName(given="Muhammad Bilal", family="Zia")),
        ("王小明", PersonName(literal="王小明")),
        ("Wang Xiao Ming 王小明", PersonName(literal="Wang Xiao Ming 王小明")),
        ("Plato", PersonName(literal="Plato")),
        ("Lee, Ann", PersonName(literal="Lee, Ann")),
    ],
)
def test_name_split(raw, expected):
    assert split_name(raw) == expected


@pytest.mark.parametrize(
    ("stored", "bibtex", "ris", "csl"),
    [
        ({"type": "Conference Paper"}, "inproceedings", "CPAPER", "paper-conference"),
        ({"type": "Journal Article"}, "article", "JOUR", "article-journal"),
        ({"type": "Book Chapter"}, "incollection", "CHAP", "chapter"),
        ({"type": "Parts in Books or Collections"}, "incollection", "CHAP", "chapter"),
        ({"type": "PhD Thesis"}, "phdthesis", "THES", "thesis"),
        ({"type": "Master's Thesis"}, "mastersthesis", "THES", "thesis"),
        ({"type": "Book"}, "book", "BOOK", "book"),
        ({"type": "Informal Publication"}, "misc", "UNPB", "article"),
        ({"type": "", "venue_kind": "Workshop"}, "inproceedings", "CPAPER", "paper-conference"),
        ({"type": "", "venue_kind": "Journal"}, "article", "JOUR", "article-journal"),
        ({"type": "Technical Report"}, "techreport", "RPRT", "report"),
        ({"type": "Dataset"}, "misc", "DATA", "dataset"),
        ({"type": "Proceedings"}, "proceedings", "CONF", "book"),
        ({"type": "Preprint", "venue_kind": "Preprint"}, "misc", "UNPB", "article"),
        ({"type": "Other", "venue_kind": "Other"}, "misc", "GEN", "document"),
        ({}, "misc", "GEN", "document"),
    ],
)
def test_type_mapping(stored, bibtex, ris, csl):
    record = {"title": "T", **stored}
    assert bibtex_entry(record).startswith(f"@{bibtex}{{")
    assert export_papers([record], "ris").startswith(f"TY  - {ris}\n")
    assert json.loads(export_papers([record], "csl-json"))[0]["type"] == csl


# --- RIS ----------------------------------------------------------------------------------------

RIS_LINE_RE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


def parse_ris(text: str) -> list[list[tuple[str, str]]]:
    assert "\r" not in text
    records: list[list[tuple[str, str]]] = [[]]
    for line in text.split("\n"):
        if not line:
            continue
        match = RIS_LINE_RE.match(line)
        assert match, f"not a RIS line: {line!r}"
        records[-1].append((match.group(1), match.group(2)))
        if match.group(1) == "ER":
            assert match.group(2) == ""
            records.append([])
    assert records.pop() == [], "text after the last ER"
    return records


def test_ris_structure_and_fields(cluster_papers):
    records = parse_ris(export_papers(cluster_papers, "ris"))
    assert len(records) == 9
    for stored, record in zip(cluster_papers, records, strict=True):
        tags = dict(record)
        assert record[0][0] == "TY" and record[-1] == ("ER", "")
        assert tags["TY"] == {"Conference Paper": "CPAPER", "Journal Article": "JOUR"}[stored["type"]]
        authors = [value for tag, value in record if tag == "AU"]
        assert [" ".join(reversed(a.split(", "))) for a in authors] == written_names(stored)
        assert tags["TI"] == stored["title"] and tags["T2"] == stored["venue"] and tags["PY"] == str(stored["year"])
        assert tags["AB"] == " ".join(stored["abstract"].split())


def test_ris_hostile_and_missing_fields():
    text = export_papers([HOSTILE, *MINIMAL], "ris")
    assert not CONTROL_RE.search(text)
    hostile, empty, titled, solo = parse_ris(text)
    tags = dict(hostile)
    assert [v for t, v in hostile if t == "AU"] == ["Jerry, Tom and", "O'Neil, Ann[2J", "van der Berg, Jan, Jr."]
    assert (tags["SP"], tags["EP"], tags["DO"]) == ("1", "10", "10.1000/a_b%c")
    assert tags["UR"] == "https://x.org/a%20b%7Bc%7D.pdf"
    assert tags["AB"] == "Line one line two [2J with } and { and \\end{document}"
    assert empty == [("TY", "GEN"), ("ER", "")]
    assert titled == [("TY", "GEN"), ("TI", "Only a title"), ("ER", "")]
    assert solo == [("TY", "GEN"), ("AU", "Solo"), ("ER", "")]


# --- CSL-JSON -----------------------------------------------------------------------------------

CSL_TYPES = {"paper-conference", "article-journal", "chapter", "book", "thesis", "article", "document", "report"}
CSL_TYPES |= {"dataset"}
CSL_STRING_FIELDS = {"id", "type", "title", "container-title", "publisher", "collection-title", "genre"}
CSL_STRING_FIELDS |= {"DOI", "URL", "abstract", "page"}


def check_csl_item(item: dict) -> None:
    """The CSL-JSON schema's rules for the fields the exporter writes."""
    assert isinstance(item["id"], str) and item["id"] and item["type"] in CSL_TYPES
    assert set(item) <= CSL_STRING_FIELDS | {"author", "issued"}, set(item)
    for name in set(item) & CSL_STRING_FIELDS:
        assert isinstance(item[name], str) and item[name], name
    for person in item.get("author", []):
        assert set(person) in ({"family", "given"}, {"literal"}) or set(person) <= {
            "family",
            "given",
            "non-dropping-particle",
            "suffix",
        }
        assert all(isinstance(value, str) and value for value in person.values())
    if "issued" in item:
        ((year,),) = item["issued"]["date-parts"]
        assert isinstance(year, int)


def test_csl_json_items(cluster_papers):
    items = json.loads(export_papers(cluster_papers, "csl-json"))
    assert isinstance(items, list) and len(items) == 9
    for item in items:
        check_csl_item(item)
    bib_keys = [key for _, key, _ in parse_bib(export_papers(cluster_papers, "bibtex"))]
    assert [item["id"] for item in items] == bib_keys
    for stored, item in zip(cluster_papers, items, strict=True):
        assert item["title"] == stored["title"] and item["container-title"] == stored["venue"]
        assert item["issued"] == {"date-parts": [[stored["year"]]]}
        assert [f"{a['given']} {a['family']}" for a in item["author"]] == written_names(stored)
        assert item["abstract"] == stored["abstract"].strip()


def test_csl_json_hostile_and_missing_fields():
    items = json.loads(export_papers([HOSTILE, *MINIMAL], "csl-json"))
    for item in items:
        check_csl_item(item)
    hostile = items[0]
    assert not CONTROL_RE.search(json.dumps(hostile, ensure_ascii=False))
    assert hostile["author"] == [
        {"family": "Jerry", "given": "Tom and"},
        {"family": "O'Neil", "given": "Ann[2J"},
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der", "suffix": "Jr."},
    ]
    assert hostile["abstract"] == "Line one\nline two [2J with } and { and \\end{document}"
    assert (hostile["page"], hostile["DOI"]) == ("1-10", "10.1000/a_b%c")
    assert items[1] == {"id": "anon", "type": "document"}
    assert items[3]["author"] == [{"literal": "Solo"}]


def test_csl_json_renders_with_citeproc(cluster_papers):
    pytest.importorskip("citeproc", reason="citeproc-py not installed (optional check)")
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(export_papers([*cluster_papers, HOSTILE], "csl-json"))
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == 10
    assert any("Yang, W." in line and "Super(ficial)-alignment" in line and "2025" in line for line in rendered)


# --- the API around the formats ----------------------------------------------------------------


def test_formats_extensions_and_unknown_format(tmp_path):
    assert {name: fmt.extension for name, fmt in EXPORT_FORMATS.items()} == {
        "bibtex": ".bib",
        "ris": ".ris",
        "csl-json": ".json",
    }
    assert format_for_path(Path("x.RIS")) == "ris" and format_for_path(Path("x.txt")) is None
    with pytest.raises(ArrowError, match="unknown export format"):
        export_papers([], "endnote")
    assert export_papers([], "bibtex") == "" and json.loads(export_papers([], "csl-json")) == []
    with pytest.raises(ArrowError, match="cannot write"):
        write_export([HOSTILE], "ris", tmp_path / "missing-dir" / "x.ris")


def test_exporters_do_not_import_textual():
    code = (
        "import sys, tui.exporters, tui.exporters.command\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"


# --- `arrow-tui export` -----------------------------------------------------------------------


def _env(home: Path) -> dict[str, str]:
    return {"XDG_DATA_HOME": str(home / "xdg"), "HOME": str(home / "home"), "ARROW_TUI_STORE": ""}


def test_cli_exports_a_cluster_newest_first(isolated_home, cluster_papers):
    result = run_cli("export", "Wenkai Yang", env=_env(isolated_home))
    assert result.returncode == 0, result.stderr
    entries = parse_bib(result.stdout)
    assert [plain(fields["title"]) for _, _, fields in entries] == [typographic(p["title"]) for p in cluster_papers]
    years = [int(fields["year"]) for _, _, fields in entries]
    assert years == sorted(years, reverse=True)


def test_cli_exports_one_paper_and_writes_a_file(isolated_home, cluster_papers):
    target = cluster_papers[-1]
    result = run_cli("export", "--paper", str(target["id"]), "--format", "csl-json", env=_env(isolated_home))
    assert result.returncode == 0, result.stderr
    (item,) = json.loads(result.stdout)
    assert item["title"] == target["title"] and item["type"] == "article-journal"

    out = isolated_home / "yankai.ris"
    result = run_cli("export", "yankai lin", "--output", str(out), env=_env(isolated_home))
    assert result.returncode == 0 and result.stdout == ""
    assert "exported 6 papers as ris" in result.stderr
    assert len(parse_ris(out.read_text("utf-8"))) == 6
    assert [p.name for p in isolated_home.iterdir() if p.name.startswith(".yankai")] == []  # no temp file left


def test_cli_errors_are_one_line(isolated_home):
    env = _env(isolated_home)
    for args, message in [
        (("export", "Nobody Atall"), "no author-name cluster"),
        (("export", "--paper", "4242"), "no paper with id 4242"),
        (("export", "wenkai yang", "-o", str(isolated_home / "no" / "x.bib")), "cannot write the export"),
    ]:
        result = run_cli(*args, env=env)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    result = run_cli("export", env=env)
    assert result.returncode == 2 and "exactly one" in result.stderr and "Traceback" not in result.stderr


def test_cli_writes_utf8_whatever_the_locale(isolated_home, cluster_papers):
    env = {**_env(isolated_home), "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "latin-1"}
    result = subprocess.run(
        [sys.executable, "-m", "tui", "export", "wenkai yang", "--format", "ris"],
        capture_output=True,
        env={**os.environ, **env},
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "model\u2019s attention".encode() in result.stdout  # U+2019 from the first abstract, as UTF-8


def test_cli_hostile_store_exports_no_escape_sequences(tmp_path):
    title = f"Attention [bold]is[/bold] all {OSC_52}you need {{ 100% & more"
    build_store(tmp_path / "store", [paper(title, ["Eve\x1b[31m Hacker", "Bob Jones"], 2024, abstract="a\x1b[2Jb")])
    for fmt in EXPORT_FORMATS:
        # The group's --store is honoured by the lazily loaded command too.
        result = run_cli("--store", str(tmp_path / "store"), "export", "Eve\x1b[31m Hacker", "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "Hacker" in result.stdout and "]52;c;ZXZpbA==" in result.stdout
