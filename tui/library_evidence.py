"""Library-wide evidence for the identity hints, read from the index.

``identity_groups`` works on one cluster page; three of its kinds of evidence need the rest of the
library: how many papers a co-author's name has (a prolific one may have written with several people
of the name), who a co-author has written with elsewhere (two-hop co-authorship) and how rare a
title word is. This module answers them from the derived index, for ``identity_groups(page,
**library_evidence(index))``. Only the index's existing structures are read: cluster sizes and
postings, each paper's author rows and the title-word postings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from tui.identities import TWO_HOP_MAX_PAPERS, CoauthorNeighbours, NameSizes, TitleWordShare
from tui.index.arrays import run_starts

if TYPE_CHECKING:
    from tui.index.reader import Index

# Lookups remembered between cluster pages: opening neighbouring clusters asks for the same names.
CACHED_NAMES = 20_000


def library_evidence(index: Index) -> dict[str, Any]:
    """Keyword arguments for ``identity_groups``: the name-size, co-author and title-word lookups of ``index``."""
    return {
        "name_sizes": name_size_lookup(index),
        "coauthor_neighbours": coauthor_lookup(index),
        "title_word_share": title_word_lookup(index),
    }


def name_size_lookup(index: Index) -> NameSizes:
    """``key -> papers written under that name in the library`` (None for an unknown name)."""

    def papers(key: str) -> int | None:
        cluster = index.find_cluster(key)
        return None if cluster is None else int(index.cluster_paper_counts[cluster])

    return papers


def coauthor_lookup(index: Index) -> CoauthorNeighbours:
    """``key -> cluster keys of everyone who wrote a paper with that name`` (None for a hub name)."""

    @lru_cache(maxsize=CACHED_NAMES)
    def neighbours(key: str) -> Collection[str] | None:
        cluster = index.find_cluster(key)
        if cluster is None:
            return frozenset()
        if int(index.cluster_paper_counts[cluster]) > TWO_HOP_MAX_PAPERS:
            return None  # a prolific name: its circle says little and costs many paper reads
        # Author rows to clusters to keys with array gathers: no paper record is read.
        clusters = np.sort(index.row_cluster[index.paper_row_ids(index.cluster_paper_ids(cluster))])
        keys = index.cluster_keys
        distinct = clusters[run_starts(clusters)]
        return frozenset(keys[c] for c in distinct.tolist() if c >= 0 and c != cluster)

    return neighbours


def title_word_lookup(index: Index) -> TitleWordShare:
    """``word -> share of the library's papers whose title has it`` (0 for an unknown word)."""
    vocab, offsets, _owners = index.title_words
    offsets = np.asarray(offsets)  # a plain view: indexing a memmap costs microseconds each
    total = max(int(index.meta.get("papers", 0)), 1)

    def share(word: str) -> float:
        i = bisect_left(vocab, word)
        if i == len(vocab) or vocab[i] != word:
            return 0.0
        return (int(offsets[i + 1]) - int(offsets[i])) / total

    return share
