"""Name normalisation: one place that turns written names into display names, cluster keys and tokens.

Every importer, the index and the search bar go through these functions, so two spellings of a
name meet in the same cluster whatever source they came from.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# LaTeX accent commands and the Unicode combining mark each one stands for.
_ACCENT_MARKS = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "r": "\u030a",
    "H": "\u030b",
    "v": "\u030c",
    "d": "\u0323",
    "c": "\u0327",
    "k": "\u0328",
    "b": "\u0331",
    "t": "\u0361",
}
# LaTeX commands that stand for a letter of their own.
_LETTER_COMMANDS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
}
_SYMBOL_ESCAPES = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " "}
# Letters that NFKD does not split into base + mark but that readers treat as accented forms.
_FOLD_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ı": "i",
        "ȷ": "j",
        "þ": "th",
        "Þ": "Th",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ŋ": "n",
        "Ŋ": "N",
        "ħ": "h",
        "Ħ": "H",
    }
)

_ACCENT_RE = re.compile(
    r"\\([`'^~=.\"])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))"
    r"|\\([uvHcdkbrt])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+([A-Za-z]))"
)
_LETTER_RE = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|dh|DH|th|TH|ng|NG|dj|DJ|[oOlLij])(?![A-Za-z])\s?")
_SYMBOL_RE = re.compile(r"\\([&%$#_{} ])")
_COMMAND_RE = re.compile(r"\\[A-Za-z]+\*?\s?")
_WHITESPACE_RE = re.compile(r"\s+")
# What clean_text would change in ASCII text besides its ends: LaTeX, runs of spaces, other whitespace.
_ASCII_WORK_PLAIN_RE = re.compile(r"[\t\n\r\f\v\x1c-\x1f]|  ")
_ASCII_WORK_LATEX_RE = re.compile(r"[\\{}~\t\n\r\f\v\x1c-\x1f]|--|  ")
_SUFFIX_RE = re.compile(r"^(.*\S)\s+(\d{4})$")
_TOKEN_RE = re.compile(r"\w+")
_HAS_LATEX = re.compile(r"[\\{}~]|--")


def _accent(mark: str, letter: str) -> str:
    if letter.startswith("\\"):
        letter = _LETTER_COMMANDS.get(letter[1:], letter[1:])
    return letter + _ACCENT_MARKS[mark]


def decode_latex(text: str) -> str:
    """Turn LaTeX escapes (``{\\"u}``, ``\\'e``, ``{\\ss}``, ``{'}``, ``\\&``) into Unicode.

    Grouping braces are dropped; unknown commands are removed rather than shown as code.
    """
    if not _HAS_LATEX.search(text):
        return text
    text = _ACCENT_RE.sub(
        lambda m: _accent(m.group(1) or m.group(4), m.group(2) or m.group(3) or m.group(5) or m.group(6)),
        text,
    )
    text = _LETTER_RE.sub(lambda m: _LETTER_COMMANDS[m.group(1)], text)
    text = text.replace("{'}", "'")
    text = _SYMBOL_RE.sub(lambda m: _SYMBOL_ESCAPES[m.group(1)], text)
    text = _COMMAND_RE.sub("", text)
    text = text.replace("{", "").replace("}", "")
    text = text.replace("~", " ").replace("---", "\u2014").replace("--", "\u2013")
    return unicodedata.normalize("NFC", text)


def clean_text(text: str, *, latex: bool = True) -> str:
    """LaTeX decoded (for LaTeX sources), NFKC, whitespace collapsed: how names and titles are stored."""
    if text.isascii() and not (_ASCII_WORK_LATEX_RE if latex else _ASCII_WORK_PLAIN_RE).search(text):
        return text.strip()  # most names and titles: NFKC leaves ASCII alone, nothing to decode or collapse
    if latex:
        text = decode_latex(text)
    return _WHITESPACE_RE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def fold(text: str) -> str:
    """Accent- and case-folded form used for keys and matching ("Jürgen" -> "jurgen")."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


# A NamedTuple's own constructor costs as much again as parsing a plain name; this skips its checks.
_new_tuple = tuple.__new__


class ParsedName(NamedTuple):
    """A written name split into what readers see and the DBLP homonym suffix, if any."""

    display: str
    suffix: str
    key: str


def split_suffix(name: str) -> tuple[str, str]:
    """Move a DBLP homonym suffix (" 0001") out of a cleaned name."""
    if not name[-1:].isdigit():
        return name, ""
    match = _SUFFIX_RE.match(name)
    if match:
        return match.group(1), match.group(2)
    return name, ""


@lru_cache(maxsize=1 << 16)
def parse_name(raw: str) -> ParsedName:
    """Clean a written name and derive its cluster key; cached because names repeat across papers."""
    display, suffix = split_suffix(clean_text(raw))
    return _new_tuple(ParsedName, (display, suffix, fold(display)))


def cluster_key(raw: str) -> str:
    """The key shared by every spelling of a name: "Wenkai Yang 0001" and "WENKAI YANG" agree."""
    return parse_name(raw).key


def tokens(text: str) -> list[str]:
    """Folded word tokens of a name or a query: punctuation and initials' dots drop out."""
    return key_tokens(fold(clean_text(text)))


def is_word_character(char: str) -> bool:
    """What ``\\w`` matches in a text pattern (``_TOKEN_RE``): a letter or digit of any script, or "_"."""
    return char.isalnum() or char == "_"


def key_tokens(key: str) -> list[str]:
    """Word tokens of a string that is already a cluster key (cleaned and folded)."""
    return _TOKEN_RE.findall(key)
