"""Messages that screens post up to the app, which owns navigation and history."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass(frozen=True)
class Location:
    """One place in the history: a cluster (by key) or a paper (by id)."""

    kind: str  # "cluster" or "paper"
    target: str | int


class Navigate(Message):
    """Open a cluster or a paper as a new history entry."""

    def __init__(self, location: Location) -> None:
        super().__init__()
        self.location = location


def open_cluster(key: str) -> Navigate:
    return Navigate(Location("cluster", key))


def open_paper(paper_id: int) -> Navigate:
    return Navigate(Location("paper", paper_id))
