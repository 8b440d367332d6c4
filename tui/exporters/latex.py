"""Text made safe for a braced BibTeX value that LaTeX typesets.

BibTeX counts every brace, escaped or not, so a literal brace cannot be written ``\\{``: an
unbalanced one would end the field early. Braces become ``\\textbraceleft{}`` and friends, which
leave the field balanced and typeset as the character. A few typographic characters that pdfLaTeX
cannot typeset from UTF-8 become their ASCII spelling.
"""

from __future__ import annotations

import re

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2212": "-",  # minus sign
    "\u2013": "--",  # en dash
    "\u2014": "---",  # em dash
    "\u00a0": "~",  # no-break space
    "\u2026": "...",
}
_SPECIAL_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
# A word whose capitals a BibTeX style must not lower-case: a capital after its first letter.
_KEEP_CASE_RE = re.compile(r"\w.*[A-Z]")
_AND_RE = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)


def escape(text: str) -> str:
    """LaTeX-escape the characters that are special to TeX or to BibTeX's field parser."""
    return _SPECIAL_RE.sub(lambda m: _ESCAPES[m.group()], text)


def protect_case(text: str) -> str:
    """Escape a title and brace its words with inner capitals ("{LLMs}", "{LeaF}") against lower-casing."""
    words = text.split(" ")
    return " ".join("{" + escape(word) + "}" if _KEEP_CASE_RE.search(word) else escape(word) for word in words)


def name_part(text: str) -> str:
    """Escape one part of a name; brace it if it holds the word "and", which would split the author list."""
    escaped = escape(text)
    return "{" + escaped + "}" if _AND_RE.search(text) else escaped
