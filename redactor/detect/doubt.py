"""The doubt pass: what *might* be sensitive in text that is about to leave the machine.

Recognizers miss things: a rare name spaCy has never seen, an account number
with no label next to it.  Before text goes to the cloud we therefore also flag,
at a low score, what a careful human reviewer would stop at:

- a capitalised word that is not a common English word (``common_words.txt``),
  or that is a known given name or surname and does not start a sentence;
- an upper-case word longer than five letters that is not a common word;
- a number of five or more digits (groups allowed) that is not an amount.

These findings carry the type ``UNVERIFIED`` and a score of 0.3, which is below
every policy's ``min_score``: the policy's ``low_confidence`` action decides what
happens to them (the default pseudonymises them; ``strict`` keeps the document
local).  They are never reported by ``Scanner.scan`` itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..config import resource_dir
from .categories import PII
from .findings import Finding

DOUBT_TYPE = "UNVERIFIED"
DOUBT_SCORE = 0.3

_WORD = re.compile(r"(?<![\w@./-])[^\W\d_][\w'’-]*(?![\w@])")
_NUMBER = re.compile(r"(?<![\w.,$€£-])(?:\d[\s.-]?){4,}\d(?![\w])")
_AMOUNT_BEFORE = re.compile(r"[$€£¥]\s*$|\b(?:USD|EUR|GBP)\s*$")
_SENTENCE_END = ".!?:;>\"“(\n"


@lru_cache(maxsize=4)
def _lexicon(name: str) -> frozenset[str]:
    path = resource_dir("recognizers") / "lexicons" / name
    if not path.exists():
        return frozenset()
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip().casefold() for line in fh if line.strip() and not line.startswith("#"))


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\r":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def find_doubts(text: str, findings: tuple[Finding, ...] | list[Finding] = ()) -> list[Finding]:
    """Low-score findings for words and numbers no recognizer explained."""
    common = _lexicon("common_words.txt")
    names = _lexicon("first_names.txt") | _lexicon("surnames.txt")
    covered = sorted((f.start, f.end) for f in findings)
    out: list[Finding] = []

    def inside(s: int, e: int) -> bool:
        return any(a <= s and e <= b for a, b in covered)

    for m in _WORD.finditer(text):
        word = m.group().strip("'’-")
        if not word[:1].isupper() or inside(m.start(), m.end()):
            continue
        folded = word.casefold()
        if word.isupper():
            suspicious = len(word) > 5 and folded not in common
        else:
            starts_sentence = _starts_sentence(text, m.start())
            suspicious = folded not in common or (folded in names and not starts_sentence)
        if suspicious:
            out.append(Finding(DOUBT_TYPE, PII, m.start(), m.start() + len(word), DOUBT_SCORE, "doubt"))
    for m in _NUMBER.finditer(text):
        if inside(m.start(), m.end()) or _AMOUNT_BEFORE.search(text, max(0, m.start() - 5), m.start()):
            continue
        out.append(Finding(DOUBT_TYPE, PII, m.start(), m.end(), DOUBT_SCORE, "doubt"))
    return out
