"""Small numpy steps the index builder and the library's evidence share."""

from __future__ import annotations

import numpy as np


def run_starts(*columns: np.ndarray) -> np.ndarray:
    """Where each run of equal rows starts in columns sorted together: a mask, True at each run's first row.

    Taking the masked rows makes the rows distinct (no ``np.unique``: it sorts again, and its first call
    imports ``numpy.ma``, ~20 ms on a page the app opens).
    """
    starts = np.zeros(len(columns[0]), dtype=bool)
    starts[:1] = True
    for column in columns:
        starts[1:] |= column[1:] != column[:-1]
    return starts
