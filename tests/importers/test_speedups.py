"""The compiled importer steps (``_speedups.c``) answer exactly as their Python references do.

``fast_fields`` and ``is_clean``, on hand-made edge cases (every way an entry can leave the common shape,
every width of Python string) and on real text: the first 200,000 entries of the DBLP dump, and the titles,
names and abstracts of 20,000 paper-list records. CI requires the compiled module
(``ARROW_TUI_REQUIRE_COMPILED``); elsewhere these tests skip where no C compiler built it.
"""

from __future__ import annotations

import itertools
import lzma
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

import orjson
import pytest

from tests.conftest import need_shared
from tui.importers.base import Source
from tui.importers.bibtex_syntax import CarefulParser, entry_segments, python_fast_fields
from tui.importers.records import python_is_clean


@pytest.fixture(scope="module")
def compiled() -> ModuleType:
    if os.environ.get("ARROW_TUI_REQUIRE_COMPILED"):
        from tui.importers import _speedups

        return _speedups
    return pytest.importorskip("tui.importers._speedups", reason="the importer speedups were not compiled here")


@pytest.fixture(params=["python", "compiled"])
def implementation(request: pytest.FixtureRequest) -> dict[str, Callable[..., Any]]:
    """Each implementation in turn: the expected answers hold for the Python reference even where nothing was
    compiled."""
    if request.param == "python":
        return {"fast_fields": python_fast_fields, "is_clean": python_is_clean}
    compiled = request.getfixturevalue("compiled")
    return {"fast_fields": compiled.fast_fields, "is_clean": compiled.is_clean}


COMMON = "inproceedings{conf/x/A16,\n  title = {T},\n  author = {A. B and C. D},\n  year = {2016}\n}"
ENTRIES_READ_FAST = {
    "DBLP's shape": (
        COMMON,
        ("inproceedings", "conf/x/A16", {"title": "T", "author": "A. B and C. D", "year": "2016"}),
    ),
    "no comma after the last field, tabs": ("Article {k,\n\tTitle\t=\t{x}\n}", ("article", "k", {"title": "x"})),
    "comma then blanks, empty value": ("misc{k,\n  note = {}, \t\n}", ("misc", "k", {"note": ""})),
    "no fields": ("misc{k,\n}", ("misc", "k", {})),
    "no key": ("misc{,\n  title = {x}\n}", ("misc", "", {"title": "x"})),
    "a key with inner blanks": (
        "misc{ C. Hanes-etal-2022 ,\n  title = {x}\n}",
        ("misc", "C. Hanes-etal-2022", {"title": "x"}),
    ),
    "inner braces": ('misc{k,\n  title = {{BERT} and {\\"u}ber},\n}', ("misc", "k", {"title": '{BERT} and {\\"u}ber'})),
    "repeated fields": (
        "proceedings{k,\n editor = {A},\n editor = {B},\n isbn = {1},\n ISBN = {2},\n author = {},\n AUTHOR = {C}\n}",
        ("proceedings", "k", {"editor": "A and B", "isbn": "1", "author": "C"}),
    ),
    "Latin-1 text": ("misc{k,\n  title = {Über Straße},\n}", ("misc", "k", {"title": "Über Straße"})),
    "CJK text": ("misc{k,\n  title = {中文标题},\n}", ("misc", "k", {"title": "中文标题"})),
    "text beyond the BMP": ("misc{k,\n  title = {𝔘nicode 😀},\n}", ("misc", "k", {"title": "𝔘nicode 😀"})),
    "a name lowered beyond ASCII": ("misc{k,\n  TİTLE = {x},\n}", ("misc", "k", {"ti̇tle": "x"})),
    "Unicode blanks around the key and after the entry": (
        "misc{\u00a0k\u2003,\n  title = {x}\n}\u00a0\n",
        ("misc", "k", {"title": "x"}),
    ),
}
NOT_FAST = {
    "a field on the key's line": "misc{k, title = {X},\n  author = {Y}\n}",
    "text before the closing brace": "misc{k,\n  title = {X},\n  junk}",
    "text after the closing brace": "misc{k,\n  title = {X}\n} junk",
    "a stray closing brace in a value": "misc{k,\n  title = {a}b},\n}",
    "two fields on one line": "misc{k,\n  title = {X}, year = {2016}\n}",
    "a blank line": "misc{k,\n  title = {X},\n\n  year = {2016}\n}",
    "a blank before the comma": "misc{k,\n  title = {X} ,\n}",
    "a quoted value": 'misc{k,\n  title = "X"\n}',
    "a macro": "misc{k,\n  month = jan\n}",
    "a key across lines": "misc{a\nb,\n  title = {X}\n}",
    "a parenthesised entry": "misc(k,\n  title = {X}\n)",
    "one line": "misc{k, title = {X}}",
    "unclosed": "misc{k,\n  title = {X}\n",
    "no key comma": "misc{k\n  title = {X}\n}",
    "a name with a blank": "misc{k,\n  the title = {X}\n}",
    "an opening brace left open": "misc{k,\n  title = {X{},\n}",
}


@pytest.mark.parametrize("name", sorted(ENTRIES_READ_FAST))
def test_the_common_shape_is_read_fast(implementation: dict[str, Callable[..., Any]], name: str) -> None:
    entry, expected = ENTRIES_READ_FAST[name]
    assert implementation["fast_fields"](entry) == expected
    assert expected == CarefulParser(entry, {}).entry()  # as the careful parser reads it


@pytest.mark.parametrize("name", sorted(NOT_FAST))
def test_other_shapes_go_to_the_careful_parser(implementation: dict[str, Callable[..., Any]], name: str) -> None:
    assert implementation["fast_fields"](NOT_FAST[name]) is None


def test_a_field_on_the_key_line_is_no_longer_dropped() -> None:
    entry = NOT_FAST["a field on the key's line"]
    assert CarefulParser(entry, {}).entry() == ("misc", "k", {"title": "X", "author": "Y"})


def test_anything_but_a_string_is_refused(compiled: ModuleType) -> None:
    with pytest.raises(TypeError):
        compiled.fast_fields(b"misc{k,\n}")


# (text, clean as plain text, clean as LaTeX)
CLEAN_CASES = [
    ("", True, True),
    (" A plain title ", True, True),  # only its ends to strip
    ("two  spaces", False, False),
    ("a--b", True, False),  # an en dash in LaTeX
    ("a-b", True, True),
    ("x\\y", True, False),
    ("{BERT}", True, False),
    ("~", True, False),
    ("tab\there", False, False),
    ("line\nbreak", False, False),
    ("\r", False, False),
    ("\x0b", False, False),
    ("\x1c", False, False),
    ("\x1f", False, False),
    (" \x85", False, False),
    ("\u1680", False, False),
    ("\u2028", False, False),
    ("\u2029", False, False),
    ("Über Straße", True, True),
    ("e\u0301", False, False),  # decomposed: not NFKC
    ("\ufb01nal", False, False),  # a ligature: not NFKC
    ("\u00a0", False, False),  # a no-break space: not NFKC
    ("\U0001d518nicode", False, False),  # a mathematical letter: not NFKC
    ("中文标题", True, True),
    ("Unicode \U0001f600", True, True),
]


@pytest.mark.parametrize(("text", "plain", "latex"), CLEAN_CASES)
def test_is_clean(implementation: dict[str, Callable[..., Any]], text: str, plain: bool, latex: bool) -> None:
    assert implementation["is_clean"](text, latex=False) is plain
    assert implementation["is_clean"](text, latex=True) is latex


def test_is_clean_takes_a_text_and_latex_by_keyword(compiled: ModuleType) -> None:
    assert compiled.is_clean("a{b}", latex=False) is True
    assert compiled.is_clean("a{b}", latex=True) is False
    for call in (lambda: compiled.is_clean("x"), lambda: compiled.is_clean("x", True)):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError):
        compiled.is_clean(b"x", latex=True)


@pytest.mark.slow
def test_the_first_200000_entries_of_the_dblp_dump_read_the_same(compiled: ModuleType) -> None:
    path = need_shared("data", "dblp", "dblp-2016-conf.bib.xz")
    read = dirty = 0
    with Source(path) as source:
        for segment, _, _ in itertools.islice(entry_segments(source.stream, path), 200_000):
            fields = compiled.fast_fields(segment)
            assert fields == python_fast_fields(segment), segment
            read += fields is not None
            for value in fields[2].values() if fields else ():
                clean = compiled.is_clean(value, latex=True)
                assert clean == python_is_clean(value, latex=True), value
                dirty += not clean
    assert read == 200_000  # every DBLP entry has the common shape
    assert dirty > 500  # values with LaTeX (accents, protected capitals) among them: 632


@pytest.mark.slow
def test_is_clean_answers_as_its_reference_on_real_titles_names_and_abstracts(compiled: ModuleType) -> None:
    path = need_shared("data", "paperlists", "paperlists.jsonl.xz")
    answers = {True: 0, False: 0}
    with lzma.open(path) as lines:
        for line in itertools.islice(lines, 20_000):
            record = orjson.loads(line)
            texts = [record.get("title"), record.get("abstract"), *(record.get("author") or "").split(";")]
            for text in texts:
                if isinstance(text, str):
                    for latex in (True, False):
                        answer = compiled.is_clean(text, latex=latex)
                        assert answer == python_is_clean(text, latex=latex), text
                        answers[answer] += 1
    assert answers[True] > 1000 and answers[False] > 1000  # both answers were put to the test
