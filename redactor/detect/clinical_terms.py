"""``CLINICAL_TERM``: eponymous signs, tests, scores and diseases, reported as what
they are so that nothing downstream takes them for people or places.

"Braden scale", "Gleason score", "Homans' sign", "Ann Arbor staging", "CURB-65",
"Parkinson's", "Foley" hold given names, surnames and towns.  Reported as
``CLINICAL_TERM`` (category ``GENERAL``: not an identifier), a term wins over a
PERSON or LOCATION finding inside it in refinement, and shields its words from the
doubt pass, which would otherwise hold a clean clinical question back as a
possible name.  The lexicons and rules are those of ``clinical.py``; an honorific
before the eponym ("Mr. Murphy's sign-out") keeps it a name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List

from presidio_analyzer import RecognizerResult

from .clinical import _HEADS, _HONORIFIC, _MODIFIERS, _STANDALONE, _key, _lexicons
from .pii import _CodeRecognizer, make_result

ENTITY = "CLINICAL_TERM"
_WORD_BEFORE = re.compile(r"([A-Z][\w’']*(?:-[A-Z]?[\w’']+)*)[ \t]*(?:-[ \t]*)?$")
_JOINER_BEFORE = re.compile(r"(?:and|&|non-?)[ \t]+$|non-$", re.IGNORECASE)
_POSSESSIVE_EPONYM = re.compile(r"(?<![\w-])([A-Z][a-zà-ÿ]+)['’]s?(?![\w])")
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’]*(?:-[A-Za-z0-9][\w'’]*)*")
_GRADE = re.compile(r"[ \t]+(?:\d{1,2}(?:\+\d)?|[IVX]{1,4})(?![\w/.])")


@lru_cache(maxsize=1)
def _head_regex() -> re.Pattern[str]:
    body = "|".join(sorted((re.escape(h) for h in _HEADS), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


class ClinicalTermRecognizer(_CodeRecognizer):
    """Eponym terms and score names (see module docstring)."""

    ENTITY = ENTITY

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        lex = _lexicons()
        spans = [(m.start(), m.end()) for m in lex.scores.finditer(text)]
        for head in _head_regex().finditer(text):
            start = _eponyms_before(text, head.start(), lex)
            if start is not None:
                spans.append((start, head.end()))
        for m in _CAPITALISED.finditer(text):
            key = _key(m.group())
            parts = [_key(p) for p in m.group().split("-")]
            if not all(p in lex.eponyms or p in lex.diseases for p in parts) or _honorific(text, m.start()):
                continue
            after = text[m.end() : m.end() + 2]
            possessive = after[:1] in "'’" or m.group()[-2:] in ("'s", "’s")
            if (key in _STANDALONE or (possessive and parts[-1] in lex.diseases)
                    or (_GRADE.match(text, m.end()) and key in lex.eponyms)):  # fmt: skip
                spans.append((m.start(), m.end() + (2 if after in ("'s", "’s") else 0)))
        return [make_result(self, ENTITY, s, e, 0.9) for s, e in spans]


_MODIFIER_BEFORE = re.compile(r"([A-Za-z][\w-]*)[ \t]+$")


def _eponyms_before(text: str, head_start: int, lex) -> int | None:
    """Where the run of eponyms (joined by "-", "and", "non-") before a head word starts;
    up to two modifiers may stand between ("Ottawa ankle rule")."""
    pos, start = head_start, None
    for _ in range(2):
        m = _MODIFIER_BEFORE.search(text, max(0, pos - 30), pos)
        if not m or _key(m.group(1)) not in _MODIFIERS:
            break
        pos = m.start(1)
    for _ in range(5):
        m = _WORD_BEFORE.search(text, max(0, pos - 40), pos)
        if not m:
            break
        parts = [_key(p) for p in re.split(r"-", m.group(1)) if p]
        if not parts or not all(p in lex.eponyms or p in lex.diseases or p == "non" for p in parts):
            break
        start = pos = m.start(1)
        joiner = _JOINER_BEFORE.search(text, max(0, pos - 6), pos)
        if joiner:
            pos = joiner.start()
    if start is None or _honorific(text, start):
        return None
    return start


def _honorific(text: str, start: int) -> bool:
    return _HONORIFIC.search(text, max(0, start - 12), start) is not None
