import re

import pytest

from tui.names import clean_text, cluster_key, decode_latex, fold, is_word_character, parse_name, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"{\"u}", "ü"),
        (r"\'e", "é"),
        (r"{\ss}", "ß"),
        ("O{'}Brien", "O'Brien"),
        (r"\v{S}imon", "Šimon"),
        (r"Andr{\'{e}}", "André"),
        (r"{\o}", "ø"),
        (r"\&", "&"),
        (r"J\"{u}rgen", "Jürgen"),
        (r"{\c c}a", "ça"),
        ("{BERT} is~great", "BERT is great"),
        ("plain text", "plain text"),
        ("10--20", "10\u201320"),
    ],
)
def test_latex_decoding(raw, expected):
    assert decode_latex(raw) == expected


def test_nfkc_and_whitespace():
    assert clean_text("Ｗｅｎｋａｉ \t  Yang\n") == "Wenkai Yang"
    assert clean_text("ﬁne") == "fine"


def test_plain_text_keeps_braces_when_not_latex():
    assert clean_text("a {b} c", latex=False) == "a {b} c"


@pytest.mark.parametrize(
    "spelling", ["Wenkai Yang", "WENKAI YANG", "Wenkai Yang 0001", "  wenkai   yang ", "Wenkai  Yang 0002"]
)
def test_spellings_share_a_cluster(spelling):
    assert cluster_key(spelling) == "wenkai yang"


def test_accents_fold_into_one_key():
    assert (
        cluster_key("Jürgen Schmidhuber") == cluster_key("Jurgen Schmidhuber") == cluster_key(r"J{\"u}rgen Schmidhuber")
    )
    assert cluster_key("Łukasz Øster") == "lukasz oster"
    assert fold("Straße") == "strasse"


def test_suffix_moves_out_of_the_name():
    parsed = parse_name("Yankai Lin 0001")
    assert (parsed.display, parsed.suffix, parsed.key) == ("Yankai Lin", "0001", "yankai lin")
    # A year-like number inside a name is not a suffix unless it ends the name after a space.
    assert parse_name("Agent007").suffix == ""


def test_cjk_names_are_kept_and_keyed():
    parsed = parse_name(" 王小明 ")
    assert parsed.display == "王小明" and parsed.key == "王小明"
    assert tokens("王小明") == ["王小明"]


def test_initials_tokenise_without_dots():
    assert tokens("W. Yang") == ["w", "yang"]
    assert tokens("yang, w.") == ["yang", "w"]


@pytest.mark.parametrize("empty", ["", "   ", "\t\n"])
def test_empty_names(empty):
    parsed = parse_name(empty)
    assert parsed == ("", "", "")
    assert tokens(empty) == []


def test_word_characters_are_what_the_token_pattern_matches():
    # Every code point: the index finds words by this predicate, the search by the pattern.
    pattern = re.compile(r"\w")
    differ = [c for c in map(chr, range(0x110000)) if bool(pattern.fullmatch(c)) != is_word_character(c)]
    assert differ == []
