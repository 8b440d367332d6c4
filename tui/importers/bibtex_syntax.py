"""BibTeX syntax: splitting a stream into entries, and reading an entry's fields.

Speed matters (the DBLP dump has 1.6M entries), so the common shape of an entry — ``name = {value}``
with at most one level of inner braces, ``name = "value"`` without braces, or a bare number — is
read by one anchored regex per field. Anything else (``@string`` macros, ``#`` concatenation, deeper
braces, quoted values with braces, parenthesised entries) goes through a careful, slower parser.
"""

from __future__ import annotations

import codecs
import lzma
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tui.errors import ImportFormatError

CHUNK_BYTES = 4 << 20
# An entry starts with "@type{" or "@type(" (the "@" itself is the split point).
_STARTS_ENTRY_RE = re.compile(r"[ \t]*[A-Za-z]+[ \t]*[{(]")
# Keys run to the first comma; some exporters leave spaces in them ("C. Hanes-etal-2022-Mapping").
_HEAD_RE = re.compile(r"[ \t]*([A-Za-z]+)[ \t]*\{\s*([^,\s{}()\"#=](?:[^,\n{}()\"#=]*[^,\s{}()\"#=])?)?\s*,")
# One field per line, "name = {value}" (DBLP, OpenReview, PMLR); inner braces are checked after.
# Starting with a literal newline lets the regex engine jump from line to line.
_LINE_FIELD_RE = re.compile(r"\n[ \t]*([^\s=]+)[ \t]*=[ \t]*\{(.*)\},?[ \t]*(?=\n)")
_TYPE_RE = re.compile(r"\s*([A-Za-z]+)\s*([{(])")
_NAME_RE = re.compile(r"\s*([A-Za-z_][^\s=,{}()\"#]*)\s*")
_BARE_RE = re.compile(r"[^\s,#{}()\"=]+")
_BRACE_RE = re.compile(r"[{}]")
_QUOTE_OR_BRACE_RE = re.compile(r"[{}\"]")
_KEY_RE = re.compile(r"\s*([^,\n{}()\"#=]*)")
_SPACE_RE = re.compile(r"\s*")
MONTH_MACROS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
# Entry types as written most often, already lower case (saves a str.lower per entry).
_LOWER_TYPES = {name: name for name in ("inproceedings", "article", "proceedings", "incollection", "book", "misc")}
_LIST_FIELDS = frozenset({"author", "editor"})
NOT_RECORDS = frozenset({"string", "comment", "preamble"})


class MalformedEntry(ValueError):
    """One entry cannot be read; the import skips it and goes on."""


def python_fast_fields(segment: str) -> tuple[str, str, dict[str, str]] | None:
    """(type, key, fields) of an entry in the common shape, or None to use the careful parser.

    The common shape is one ``name = {value}`` per line and the closing brace on a line of its own.
    The entry qualifies only when every line of its body is such a field (the rest of the key's line and
    the closing brace's line blank), so nothing can be silently dropped; one multiline regex call reads all
    fields, and a repeated name is kept as the careful parser keeps it (``_add_field``).
    ``_speedups.c`` has this function compiled; ``fast_fields`` is that one where it was built.
    """
    head = _HEAD_RE.match(segment)
    if head is None:
        return None
    body_start = head.end()
    body_end = segment.rfind("}")
    if body_end < body_start or (not segment.endswith("}") and segment[body_end + 1 :].strip()):
        return None
    first_newline = segment.find("\n", body_start, body_end)
    if first_newline < 0 or segment[body_start:first_newline].strip():
        return None
    if segment[segment.rfind("\n", body_start, body_end) + 1 : body_end].strip():
        return None
    pairs = _LINE_FIELD_RE.findall(segment, body_start, body_end)
    if len(pairs) != segment.count("\n", body_start, body_end) - 1:
        return None
    # Only the braces of the entry and of each field: no value has inner braces to check.
    braces = len(pairs) + 1
    if (segment.count("{") != braces or segment.count("}") != braces) and not all(_balanced(v) for _, v in pairs):
        return None
    fields = dict(pairs)
    if len(fields) != len(pairs) or not "".join(fields).islower():
        # A name repeats (DBLP's proceedings list one editor per field) or is not in lower case.
        fields = {}
        for name, value in pairs:
            _add_field(fields, name.lower(), value)
    kind, key = head.groups()
    return _LOWER_TYPES.get(kind) or kind.lower(), key or "", fields


try:
    from tui.importers._speedups import fast_fields
except ImportError:  # not compiled here (no C compiler when the package was built): the same rules in Python
    fast_fields = python_fast_fields


def _add_field(fields: dict[str, str], name: str, value: str) -> None:
    """A field of an entry: of a repeated name the first value counts, except for authors and editors, which
    DBLP's proceedings and some converters (dblp.yaml) write one person per field: those are joined."""
    if name not in fields:
        fields[name] = value
    elif name in _LIST_FIELDS and value.strip():
        fields[name] = f"{fields[name]} and {value}" if fields[name].strip() else value


def _balanced(value: str) -> bool:
    """Inner braces of a value pair up (else the line held more than one field, or a stray brace)."""
    if "}" not in value:
        return "{" not in value
    depth = 0
    for brace in _BRACE_RE.findall(value):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0


class CarefulParser:
    """Reads one entry character by character where the fast path cannot: macros, ``#``, deep braces."""

    def __init__(self, text: str, macros: dict[str, str]) -> None:
        self.text = text
        self.pos = 0
        self.macros = macros

    def entry(self) -> tuple[str, str, dict[str, str]]:
        found = _TYPE_RE.match(self.text)
        if found is None:
            raise MalformedEntry("no entry type after '@'")
        kind, opener = found.group(1).lower(), found.group(2)
        closer = "}" if opener == "{" else ")"
        self.pos = found.end()
        if kind in ("comment", "preamble"):
            return kind, "", {}
        if kind == "string":
            fields = self._fields(closer)
            self.macros.update({name: value for name, value in fields.items()})
            return kind, "", fields
        key_match = _KEY_RE.match(self.text, self.pos)
        assert key_match is not None  # the pattern matches the empty string
        key = key_match.group(1).strip()
        self.pos = key_match.end()
        if self.pos < len(self.text) and self.text[self.pos] == ",":
            self.pos += 1
        elif self._at(closer):
            return kind, key, {}
        else:
            raise MalformedEntry("no ',' after the citation key")
        return kind, key, self._fields(closer)

    def _at(self, char: str) -> bool:
        self.pos = _SPACE_RE.match(self.text, self.pos).end()  # type: ignore[union-attr]
        return self.text.startswith(char, self.pos)

    def _fields(self, closer: str) -> dict[str, str]:
        fields: dict[str, str] = {}
        while True:
            while self._at(","):
                self.pos += 1
            if self._at(closer):
                self.pos += 1
                return fields
            if self.pos >= len(self.text):
                raise MalformedEntry("entry not closed (unbalanced braces or quotes)")
            name_match = _NAME_RE.match(self.text, self.pos)
            if name_match is None:
                raise MalformedEntry(f"expected a field name at {self.text[self.pos : self.pos + 20]!r}")
            self.pos = name_match.end()
            if not self._at("="):
                raise MalformedEntry(f"no '=' after field {name_match.group(1)!r}")
            self.pos += 1
            _add_field(fields, name_match.group(1).lower(), self._value())

    def _value(self) -> str:
        parts: list[str] = []
        while True:
            self._at("")
            if self.pos >= len(self.text):
                raise MalformedEntry("entry ends inside a field value")
            char = self.text[self.pos]
            if char == "{":
                parts.append(self._braced())
            elif char == '"':
                parts.append(self._quoted())
            else:
                bare = _BARE_RE.match(self.text, self.pos)
                if bare is None:
                    raise MalformedEntry(f"unexpected {char!r} in a field value")
                word = bare.group(0)
                self.pos = bare.end()
                macro = word.lower()
                parts.append(word if word.isdigit() else self.macros.get(macro, MONTH_MACROS.get(macro, "")))
            if not self._at("#"):
                return "".join(parts)
            self.pos += 1

    def _braced(self) -> str:
        """A {...} value with nested braces; the outer pair is dropped."""
        depth = 0
        start = self.pos
        for brace in _BRACE_RE.finditer(self.text, self.pos):
            depth += 1 if brace.group(0) == "{" else -1
            if depth == 0:
                self.pos = brace.end()
                return self.text[start + 1 : brace.start()]
        raise MalformedEntry("unbalanced braces in a field value")

    def _quoted(self) -> str:
        """A "..." value; braces inside must balance and protect quotes (ACL-style ``{'}``, ``{"}``)."""
        depth = 0
        start = self.pos + 1
        for mark in _QUOTE_OR_BRACE_RE.finditer(self.text, start):
            char = mark.group(0)
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    raise MalformedEntry("unbalanced braces in a quoted value")
            elif depth == 0:
                self.pos = mark.end()
                return self.text[start : mark.start()]
        raise MalformedEntry("unterminated quoted value")


class _TextDecoder:
    """UTF-8, or Windows-1252 from the first byte that is not UTF-8 (older .bib files are Latin-1)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.fell_back = False

    def decode(self, raw: bytes, final: bool) -> str:
        try:
            return self._decoder.decode(raw, final=final)
        except UnicodeDecodeError:
            if self.fell_back:
                raise
            buffered = self._decoder.getstate()[0]
            self._decoder = codecs.getincrementaldecoder("cp1252")("replace")
            self.fell_back = True
            return self._decoder.decode(buffered + raw, final=final)


def entry_segments(stream: BinaryIO, path: Path) -> Iterator[tuple[str, int, bool]]:
    """Each entry's text (starting after its '@'), the line number of the '@', and whether it is the last.

    The decompressed text is read in large chunks and split on "\\n@" in C; a piece that does not
    start like an entry (an "@" at the start of a line inside an abstract) is glued back on.
    """
    decoder = _TextDecoder()
    buffer = "\n"  # so that an '@' on the very first line splits like every other
    buffer_line = 0
    head_is_entry = False
    pending: str | None = None
    pending_line = 0
    while True:
        try:
            raw = stream.read(CHUNK_BYTES)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise ImportFormatError(f"{path}: file is truncated or corrupt ({exc})") from None
        buffer += decoder.decode(raw, final=not raw)
        if "\r" in buffer:
            buffer = buffer.replace("\r\n", "\n").replace("\r", "\n")
        parts = buffer.split("\n@")
        carry = parts.pop() if raw else None
        line = buffer_line
        for index, part in enumerate(parts):
            if index > 0 or head_is_entry:
                if _STARTS_ENTRY_RE.match(part):
                    if pending is not None:
                        yield pending, pending_line, False
                    pending, pending_line = part, line
                elif pending is not None:
                    pending += "\n@" + part
            line += part.count("\n") + 1
        if carry is None:
            break
        if parts or head_is_entry:
            head_is_entry = True
        buffer, buffer_line = carry, line if parts else buffer_line
        if not parts and len(buffer) > 64 * CHUNK_BYTES:
            raise ImportFormatError(f"{path}: no BibTeX entry boundary in {len(buffer) >> 20} MB of text")
    if pending is not None:
        yield pending, pending_line, True
