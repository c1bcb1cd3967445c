"""Two slips of the pen in a long word: "intermitant" (intermittent), "vancomicine" (vancomycin).

Nursing notes are typed fast, and a long drug or clinical word often carries two slips
(two letters wrong, one missing and one swapped...).  ``doubt.py`` already forgives one
slip in a word of six letters or more; this forgives two, in a word of eight letters or
more whose first letter is right, against a vocabulary the caller gives (the doubt pass:
ordinary and clinical words).  A name or a place is never a slip: the caller checks that
the word itself is none, and a word of eight letters leaves six right.

Looking up every word two slips away is too slow, so the vocabulary is indexed by first
letter and length, and a candidate is compared letter by letter only when the letters
the two words use differ in four or fewer (two slips change at most four).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

MIN_LENGTH = 8
_MAX_SLIPS = 2


def _letters(word: str) -> int:
    """The set of letters ``word`` uses, as bits."""
    mask = 0
    for ch in word:
        mask |= 1 << (ord(ch) & 31)
    return mask


class SlipIndex:
    """Words of ``MIN_LENGTH - 2`` letters or more, by first letter and length."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._by_start: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
        for w in vocabulary:
            if len(w) >= MIN_LENGTH - _MAX_SLIPS and w.isalpha() and w.isascii():
                self._by_start[(w[0], len(w))].append((w, _letters(w)))

    def near(self, key: str) -> bool:
        """``key`` (lower case) is at most two slips from a word of the index."""
        if len(key) < MIN_LENGTH or not (key.isalpha() and key.isascii()):
            return False
        mask = _letters(key)
        for length in range(len(key) - _MAX_SLIPS, len(key) + _MAX_SLIPS + 1):
            for word, letters in self._by_start.get((key[0], length), ()):
                if (mask ^ letters).bit_count() <= 2 * _MAX_SLIPS and _slips(key, word) <= _MAX_SLIPS:
                    return True
        return False


def _slips(a: str, b: str) -> int:
    """Edits (a letter added, dropped, changed, or two neighbours swapped) from ``a`` to
    ``b``, counted exactly up to ``_MAX_SLIPS``; more comes back as ``_MAX_SLIPS + 1``."""
    over = _MAX_SLIPS + 1
    before: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [over] * len(b)
        for j in range(max(1, i - _MAX_SLIPS), min(len(b), i + _MAX_SLIPS) + 1):
            cost = a[i - 1] != b[j - 1]
            v = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, before[j - 2] + 1)
            row[j] = v
        if min(row) > _MAX_SLIPS:
            return over
        before, prev = prev, row
    return min(prev[len(b)], over)
