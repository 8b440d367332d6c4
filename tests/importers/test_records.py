"""The importers' shortcut for text that is already clean stores exactly what ``clean_text`` would."""

import random
import re
import sys

import pytest

from tui.importers.records import fast_clean
from tui.names import clean_text

_SPACES = [chr(cp) for cp in range(sys.maxunicode + 1) if re.match(r"\s", chr(cp))]


@pytest.mark.parametrize("latex", [True, False])
def test_every_kind_of_space_is_cleaned_as_clean_text_does(latex: bool) -> None:
    for space in _SPACES:
        text = f" Deep{space}learning of{space}{space}graphs "
        assert fast_clean(text, latex=latex) == clean_text(text, latex=latex), hex(ord(space))


@pytest.mark.parametrize("latex", [True, False])
def test_random_text_is_cleaned_as_clean_text_does(latex: bool) -> None:
    pieces = [
        "a",
        "Z",
        " ",
        "  ",
        "-",
        "--",
        "{",
        "}",
        "\\'e",
        "~",
        "é",
        "e\u0301",
        "ﬁ",
        "\u00a0",
        "\u3000",
        "中",
        "\t",
    ]
    pieces += [*_SPACES[:8], "\u1680", "\u2028", "\x1f", "²", "Å"]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert fast_clean(text, latex=latex) == clean_text(text, latex=latex), repr(text)
