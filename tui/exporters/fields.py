"""Paper fields as every exporter needs them: one-line safe text, DOI, URL, page range.

Stored text is untrusted (it comes from other people's files), so every value that leaves through
an exporter passes through here and loses its control characters: an exported file never carries
an escape sequence.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from tui.models import Paper
from tui.textsafe import safe_line, safe_text

_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PAGE_RANGE_RE = re.compile(r"^\s*(\S+?)\s*(?:-+|\u2013|\u2014|\u2010|\u2011|\u2212)\s*(\S+)\s*$")
# Characters that may not appear raw in a URL written into a braced or one-line field.
_URL_UNSAFE_RE = re.compile(r"[\s{}\\\"<>`^|]")
# A DOI may legally hold "<", ">" or quotes (old SICI DOIs); only what breaks a braced field goes.
_DOI_UNSAFE_RE = re.compile(r"[\s{}\\]")


def one_line(value: object) -> str:
    """Control characters removed, all whitespace (newlines too) collapsed to single spaces."""
    return " ".join(safe_line(value if isinstance(value, str) else str(value or "")).split())


def title(paper: Paper) -> str:
    return one_line(paper.get("title"))


def venue(paper: Paper) -> str:
    return one_line(paper.get("venue"))


def abstract(paper: Paper) -> str:
    return one_line(paper.get("abstract"))


def paragraphs(value: object) -> str:
    """Multi-line text (an abstract) with control characters removed but line breaks kept."""
    text = safe_text(value if isinstance(value, str) else str(value or ""))
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def year(paper: Paper) -> int | None:
    value = paper.get("year")
    if isinstance(value, str) and value.strip().isdigit():  # a hand-edited or foreign store
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def safe_url(url: str) -> str:
    """A URL with whitespace, braces, backslashes and quotes percent-encoded: safe in any field."""
    return _URL_UNSAFE_RE.sub(lambda m: quote(m.group(), safe=""), one_line(url))


def doi(paper: Paper) -> str:
    """The bare DOI ("10.1145/..."), whether stored bare, as a doi.org URL or as a DOI link."""
    raw = one_line(paper.get("doi"))
    if not raw:
        raw = next((one_line(link.get("url")) for link in links(paper) if link.get("kind") == "doi"), "")
    return _DOI_UNSAFE_RE.sub(lambda m: quote(m.group(), safe=""), _DOI_PREFIX_RE.sub("", raw))


def links(paper: Paper) -> list[dict[str, str]]:
    return [link for link in paper.get("links") or [] if isinstance(link, dict) and link.get("url")]


def urls(paper: Paper) -> list[str]:
    """Every link URL, deduplicated, in stored order; the DOI's resolver URL if there is no link."""
    found = list(dict.fromkeys(safe_url(link["url"]) for link in links(paper) if safe_url(link["url"])))
    if not found and doi(paper):
        found.append(f"https://doi.org/{doi(paper)}")
    return found


def best_url(paper: Paper) -> str:
    """The first non-DOI link (the paper's page), else the DOI resolver URL, else ""."""
    for link in links(paper):
        if link.get("kind") != "doi" and safe_url(link["url"]):
            return safe_url(link["url"])
    all_urls = urls(paper)
    return all_urls[0] if all_urls else ""


def page_range(paper: Paper) -> tuple[str, str]:
    """(first, last) page; last is "" for a single page or an article number."""
    pages = one_line(paper.get("pages"))
    match = _PAGE_RANGE_RE.match(pages)
    if match:
        return match.group(1), match.group(2)
    return pages, ""
