"""What every importer maps the same way: record types to the type shown, years, and links."""

from __future__ import annotations

import re
import unicodedata

from tui.models import Link
from tui.names import clean_text

# Record type (BibTeX entry type, DBLP XML element) -> (type shown, venue kind).
RECORD_TYPES: dict[str, tuple[str, str]] = {
    "inproceedings": ("Conference Paper", "Conference"),
    "conference": ("Conference Paper", "Conference"),
    "article": ("Journal Article", "Journal"),
    "incollection": ("Book Chapter", "Book"),
    "inbook": ("Book Chapter", "Book"),
    "book": ("Book", "Book"),
    "proceedings": ("Proceedings", "Conference"),
    "phdthesis": ("PhD Thesis", "Thesis"),
    "mastersthesis": ("Master's Thesis", "Thesis"),
    "techreport": ("Technical Report", "Other"),
    "manual": ("Manual", "Other"),
    "unpublished": ("Preprint", "Preprint"),
    "misc": ("Other", "Other"),
    "online": ("Other", "Other"),
    "data": ("Dataset", "Other"),
}
OTHER = ("Other", "Other")
# DBLP keys name the kind of record first ("conf/acl/Foo16", "journals/tacl/Bar20").
DBLP_PREFIXES = tuple(
    f"{kind}/" for kind in ("conf", "journals", "books", "series", "phd", "ms", "tr", "reference", "homepages", "www")
)
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_DOI_IN_URL_RE = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\..+)$", re.IGNORECASE)


def record_type(kind: str) -> tuple[str, str]:
    """The type shown and the venue kind for a record type (unknown types are "Other")."""
    return RECORD_TYPES.get(kind.lower(), OTHER)


def parse_year(text: str) -> int | None:
    """A four-digit year, or None when the text is not one (the caller decides if that is an error)."""
    if len(text) == 4 and text.isdigit():
        return int(text)
    match = _YEAR_RE.match(text)
    return int(match.group(1)) if match else None


def doi_from_url(url: str) -> str:
    """The DOI of a doi.org link ("https://doi.org/10.1/x" -> "10.1/x"), else ""."""
    if "doi.org/" not in url:
        return ""
    match = _DOI_IN_URL_RE.match(url.strip())
    return match.group(1) if match else ""


def doi_link(doi: str) -> Link:
    return {"kind": "doi", "url": f"https://doi.org/{doi}"}


def add_link(links: list[Link], kind: str, url: str) -> None:
    """Append a link unless it is empty or already there (sources repeat the same URL)."""
    url = url.strip()
    if url and all(link["url"] != url for link in links):
        links.append({"kind": kind, "url": url})


# Whitespace that clean_text collapses but NFKC leaves alone; the rest (no-break and wide spaces)
# make the text not NFKC-normalised, which sends it to clean_text anyway.
_ODD_SPACE = "\t\n\r\f\v\x1c-\x1f\x85\u1680\u2028\u2029"
_DIRTY_PLAIN_RE = re.compile(f"[{_ODD_SPACE}]")
_DIRTY_LATEX_RE = re.compile(f"[\\\\{{}}~{_ODD_SPACE}]")


def python_is_clean(text: str, *, latex: bool) -> bool:
    """True if ``clean_text`` would only strip the ends of this text.

    A plain character class is searched first: an alternation with "--" or "  " in the regex would
    make it try each alternative at every position. ``_speedups.c`` has this function compiled;
    ``is_clean`` is that one where it was built.
    """
    if (_DIRTY_LATEX_RE if latex else _DIRTY_PLAIN_RE).search(text) is not None or "  " in text:
        return False
    if latex and "--" in text:
        return False
    return text.isascii() or unicodedata.is_normalized("NFKC", text)


try:
    from tui.importers._speedups import is_clean
except ImportError:  # not compiled here: the same rules in Python
    is_clean = python_is_clean


def fast_clean(text: str, *, latex: bool) -> str:
    """``clean_text``, skipping the work for text that is already clean (most titles and abstracts)."""
    return text.strip() if is_clean(text, latex=latex) else clean_text(text, latex=latex)
