"""Ranked search over the index: author-name clusters in tiers, and paper titles.

Tiers: ``exact`` (every key word matched whole, in any order), ``prefix`` (every query word is the
start of a distinct key word), ``fuzzy`` (typo-tolerant, rapidfuzz on a trigram-prefiltered
candidate set). Within a tier: by score, then by paper count. Nothing here scans all names.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
from rapidfuzz import fuzz, process

from tui.index import files as F
from tui.index.keys import STOPWORDS, title_words
from tui.index.reader import Index
from tui.models import ClusterHit, TitleHit
from tui.names import key_tokens, tokens

FUZZY_CANDIDATES = 3000
FUZZY_CUTOFF = 70.0
_PREFIX_END = "\U0010ffff"


def _prefix_range(vocab: list[str], offsets: np.ndarray, prefix: str) -> tuple[int, int]:
    """Posting positions of every vocabulary word starting with ``prefix`` (contiguous in CSR)."""
    lo = bisect_left(vocab, prefix)
    hi = bisect_left(vocab, prefix + _PREFIX_END, lo)
    return int(offsets[lo]), int(offsets[hi])


def _words_fit(query_words: list[str], key_words: list[str]) -> bool:
    """Each query word is a prefix of a different key word (longest query words placed first)."""
    free = list(key_words)
    for word in sorted(query_words, key=len, reverse=True):
        for i, candidate in enumerate(free):
            if candidate.startswith(word):
                del free[i]
                break
        else:
            return False
    return True


def _intersect(index_size: int, postings: list[np.ndarray]) -> np.ndarray:
    """Owners present in every posting slice (slices may repeat an owner), ascending.

    Boolean masks keep this linear: a one-letter prefix can cover most of a million names, and
    sorting such slices (np.unique) took hundreds of milliseconds.
    """
    present = np.zeros(index_size, dtype=bool)
    present[postings[0]] = True
    for other in postings[1:]:
        also = np.zeros(index_size, dtype=bool)
        also[other] = True
        present &= also
    return np.flatnonzero(present)


def _whole_word_counts(index: Index, words: list[str], candidates: np.ndarray) -> np.ndarray:
    """For each candidate, how many query words are whole words of its name (not just starts)."""
    vocab, offsets, owners = index.name_tokens
    counts = np.zeros(len(candidates), dtype=np.int32)
    for word in words:
        i = bisect_left(vocab, word)
        if i < len(vocab) and vocab[i] == word:
            present = np.zeros(index.cluster_count(), dtype=bool)
            present[owners[offsets[i] : offsets[i + 1]]] = True
            counts += present[candidates]
    return counts


def _word_matches(index: Index, words: list[str], limit: int) -> list[ClusterHit]:
    """Exact and prefix tiers. Exact: the words cover the whole name. Prefix score: words typed in
    full count 1, started words 1/2, out of the query's words; so "Hinton" ranks every Hinton by papers."""
    vocab, offsets, owners = index.name_tokens
    postings = []
    for word in words:
        start, end = _prefix_range(vocab, offsets, word)
        if start == end:
            return []
        postings.append(owners[start:end])
    candidates = _intersect(index.cluster_count(), postings)
    if not len(candidates):
        return []
    query_chars = sum(map(len, words))
    exact = query_chars >= index.cluster_key_chars[candidates]
    whole = _whole_word_counts(index, words, candidates)
    score = np.where(exact, 1.0, (whole + 0.5 * (len(words) - whole)) / len(words))
    rank = (exact * 2.0 + score) * 1e7 + index.cluster_paper_counts[candidates]
    # Repeated query words ("yang yang") can pass the set test without fitting: over-fetch, then verify.
    take = min(len(candidates), limit * 3)
    top = np.argpartition(-rank, take - 1)[:take] if take < len(candidates) else np.arange(len(candidates))
    top = top[np.argsort(-rank[top], kind="stable")]
    hits = []
    for i in top:
        cluster = int(candidates[i])
        key, name, papers, rows, y0, y1 = index.cluster_summary(cluster)
        if not _words_fit(words, key_tokens(key)):
            continue
        tier = "exact" if exact[i] else "prefix"
        hits.append(ClusterHit(key, name, papers, rows, y0, y1, tier, round(float(score[i]) * 100, 1)))
        if len(hits) == limit:
            break
    return hits


def _query_trigrams(text: str) -> np.ndarray:
    codes = [ord(ch) for ch in f"  {text} "]
    return np.unique(
        np.array(
            [(codes[i] << 42) | (codes[i + 1] << 21) | codes[i + 2] for i in range(len(codes) - 2)], dtype=np.uint64
        )
    )


def _fuzzy_matches(index: Index, text: str, limit: int, exclude: set[str]) -> list[ClusterHit]:
    codes, offsets, owners = index.trigrams
    if not len(codes):
        return []
    wanted = _query_trigrams(text)
    pos = np.searchsorted(codes, wanted)
    inside = pos < len(codes)
    pos, wanted_inside = pos[inside], wanted[inside]
    pos = pos[codes[pos] == wanted_inside]
    slices = [owners[offsets[p] : offsets[p + 1]] for p in pos]
    if not slices:
        return []
    shared = np.bincount(np.concatenate(slices), minlength=index.cluster_count())
    # Keep names sharing a fair part of the query's trigrams; most-shared first.
    floor = max(1, len(wanted) // 3)
    candidates = np.nonzero(shared >= floor)[0]
    if len(candidates) > FUZZY_CANDIDATES:
        candidates = candidates[np.argpartition(-shared[candidates], FUZZY_CANDIDATES - 1)[:FUZZY_CANDIDATES]]
    keys = index.cluster_keys
    choices = {int(c): keys[c] for c in candidates if keys[c] not in exclude}
    found = process.extract(text, choices, scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=FUZZY_CUTOFF)
    stats = index.cluster_stats
    found.sort(key=lambda item: (-round(item[1], 1), -int(stats[item[2], F.STAT_PAPERS])))
    hits = []
    for _key, score, cluster in found[:limit]:
        key, name, papers, rows, y0, y1 = index.cluster_summary(cluster)
        hits.append(ClusterHit(key, name, papers, rows, y0, y1, "fuzzy", round(float(score), 1)))
    return hits


def search_clusters(index: Index, query: str, limit: int = 20) -> list[ClusterHit]:
    """Clusters for a query, exact before prefix before fuzzy."""
    words = tokens(query)
    if not words or limit <= 0 or not index.cluster_count():
        return []
    hits = _word_matches(index, words, limit)
    hits.sort(key=lambda h: (h.tier != "exact", -h.score, -h.papers))
    if len(hits) < limit:
        hits += _fuzzy_matches(index, " ".join(words), limit - len(hits), {h.key for h in hits})
    return hits


def search_titles(index: Index, query: str, limit: int = 20) -> list[TitleHit]:
    """Papers whose title has every query word (the last one as a prefix), newest first."""
    words = title_words(query)
    if not words or limit <= 0:
        return []
    meaningful = [w for w in words[:-1] if w not in STOPWORDS] + words[-1:]
    vocab, offsets, owners = index.title_words
    postings = []
    for i, word in enumerate(meaningful):
        if i == len(meaningful) - 1 and not query.endswith(" "):
            start, end = _prefix_range(vocab, offsets, word)
        else:
            j = bisect_left(vocab, word)
            if j == len(vocab) or vocab[j] != word:
                return []
            start, end = int(offsets[j]), int(offsets[j + 1])
        if start == end:
            return []
        postings.append(owners[start:end])
    papers = _intersect(len(index.paper_years), postings)
    years = np.asarray(index.paper_years[papers], dtype=np.int64)
    rank = years * (1 << 31) + papers
    take = min(limit, len(papers))
    top = np.argpartition(-rank, take - 1)[:take] if take < len(papers) else np.arange(len(papers))
    top = top[np.argsort(-rank[top])]
    hits = []
    for i in top:
        paper = index.paper(int(papers[i])) or {}
        hits.append(TitleHit(int(papers[i]), paper.get("title", ""), paper.get("year"), paper.get("venue", ""), 100.0))
    return hits
