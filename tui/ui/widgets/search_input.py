"""The search bar: an Input that leaves ``?`` to the screen's priority binding, so help opens while typing."""

from __future__ import annotations

from textual.widgets import Input

PASSED_THROUGH = {"?"}  # no author name or title word is worth searching with a question mark


class SearchInput(Input):
    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character in PASSED_THROUGH:
            return False
        return super().check_consume_key(key, character)
