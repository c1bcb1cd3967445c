"""The doubt pass: what *might* be sensitive in text that is about to leave the machine.

Recognizers miss things: a rare name spaCy has never seen, an account number
with no label next to it.  Before text goes to the cloud we therefore also flag,
at a low score, what a careful human reviewer would stop at:

- a capitalised word that is not a common English word (``common_words.txt``;
  each part of a hyphenated word is looked up alone);
- two capitalised words in a row that are both known given names or surnames
  ("Teresa Becker"), even when each is also a common word;
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
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'’-]*)")
_PREV_WORD = re.compile(r"([^\W\d_][\w'’-]*)[ \t]+$")


@lru_cache(maxsize=4)
def _lexicon(name: str) -> frozenset[str]:
    path = resource_dir("recognizers") / "lexicons" / name
    if not path.exists():
        return frozenset()
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip().casefold() for line in fh if line.strip() and not line.startswith("#"))


def _name_pair(text: str, m: re.Match[str], names: frozenset[str]) -> bool:
    """This word and its neighbour are both capitalised known names."""
    if m.group().casefold() not in names:
        return False
    after = _NEXT_WORD.match(text, m.end())
    before = _PREV_WORD.search(text, max(0, m.start() - 40), m.start())
    return any(n is not None and n.group(1)[:1].isupper() and n.group(1).casefold() in names for n in (after, before))


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """Given names and surnames, minus function words and calendar words some lists carry."""
    from spacy.lang.en.stop_words import STOP_WORDS

    calendar = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                "january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december"}
    return (_lexicon("first_names.txt") | _lexicon("surnames.txt")) - STOP_WORDS - calendar


def find_doubts(text: str, findings: tuple[Finding, ...] | list[Finding] = ()) -> list[Finding]:
    """Low-score findings for words and numbers no recognizer explained."""
    common = _lexicon("common_words.txt")
    names = _names()
    covered = sorted((f.start, f.end) for f in findings)
    out: list[Finding] = []

    def inside(s: int, e: int) -> bool:
        return any(a <= s and e <= b for a, b in covered)

    for m in _WORD.finditer(text):
        word = m.group().strip("'’-")
        if not word[:1].isupper() or inside(m.start(), m.end()):
            continue
        parts = [p.casefold() for p in re.split(r"[-'’]", word) if p]
        uncommon = any(p not in common for p in parts)
        if word.isupper():
            suspicious = len(word) > 5 and uncommon
        else:
            suspicious = uncommon or _name_pair(text, m, names)
        if suspicious:
            out.append(Finding(DOUBT_TYPE, PII, m.start(), m.start() + len(word), DOUBT_SCORE, "doubt"))
    for m in _NUMBER.finditer(text):
        if inside(m.start(), m.end()) or _AMOUNT_BEFORE.search(text, max(0, m.start() - 5), m.start()):
            continue
        out.append(Finding(DOUBT_TYPE, PII, m.start(), m.end(), DOUBT_SCORE, "doubt"))
    return out
