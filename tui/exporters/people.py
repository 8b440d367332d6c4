"""Author names split into the parts citation formats want: given, particle, family, lineage.

Stored names are written in display order ("Yankai Lin 0001"); the DBLP homonym suffix is not part
of the person's name and is dropped. Names that cannot be split safely (one word, CJK, a comma left
in the name) are kept whole as a literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tui.exporters.fields import one_line
from tui.models import Paper
from tui.names import split_suffix

# Lower-case words that belong to the family name ("van der Berg", "de la Cruz").
_PARTICLES = frozenset(
    "von van der den de del della dei di da das dos du la le les lo ten ter zu zur vom al el bin ibn".split()  # noqa: SIM905
)
_LINEAGE = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
# Han, kana, Hangul: written family-name first and without a reliable split.
_CJK_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class PersonName:
    """One author's name in parts; ``literal`` alone is set when the name is kept whole."""

    given: str = ""
    particle: str = ""
    family: str = ""
    lineage: str = ""
    literal: str = ""

    @property
    def surname(self) -> str:
        """The word a citation key starts with ("Lee" for a literal "Lee, Ann")."""
        return self.family or self.literal.split(",")[0].strip()


@lru_cache(maxsize=1 << 16)  # names repeat across a cluster's papers
def split_name(raw: str) -> PersonName:
    """Split a stored author name; the homonym suffix ("0001") is removed first."""
    display, _suffix = split_suffix(one_line(raw))
    words = display.split()
    if len(words) < 2 or "," in display or _CJK_RE.search(display):
        return PersonName(literal=display)
    lineage = words.pop() if len(words) >= 3 and words[-1] in _LINEAGE else ""
    family = words.pop()
    particles: list[str] = []
    while len(words) > 1 and words[-1] in _PARTICLES:
        particles.insert(0, words.pop())
    return PersonName(given=" ".join(words), particle=" ".join(particles), family=family, lineage=lineage)


def author_names(paper: Paper) -> list[PersonName]:
    """The paper's authors in order, empty names left out."""
    names = (split_name(ref.get("name", "")) for ref in paper.get("authors") or [] if isinstance(ref, dict))
    return [name for name in names if name.surname]
