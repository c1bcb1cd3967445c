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
from typing import List

from presidio_analyzer import RecognizerResult

from .clinical import _FINDINGS, _HEADS, _HONORIFIC, _MODIFIERS, _STANDALONE, _deaccent, _lexicons
from .pii import _CodeRecognizer, make_result

ENTITY = "CLINICAL_TERM"
# A capitalised word, maybe hyphenated ("Child-Pugh") or possessive ("Tinel's", "Homans'").
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’]*(?:-[A-Za-z0-9][\w'’]*)*")
# The next word after an eponym, on the same line, past spaces or a hyphen.
_NEXT = re.compile(r"[ \t]*-?[ \t]*([^\W\d_][\w'’]*(?:-[\w'’]+)*)")
_GRADE = re.compile(r"[ \t]+(?:\d{1,2}(?:\+\d)?|[IVX]{1,4})(?![\w/.])")
_JOINERS = frozenset({"and", "or", "non", "en", "y", "de", "von", "van", "la", "&", "both"})


class ClinicalTermRecognizer(_CodeRecognizer):
    """Eponym terms and score names (see module docstring).  Work starts only at a
    capitalised word that is an eponym, so ordinary text costs one regex pass."""

    ENTITY = ENTITY

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        lex = _lexicons()
        spans = [(m.start(), m.end()) for m in lex.scores.finditer(text)]
        claimed = -1
        for m in _CAPITALISED.finditer(text):
            if m.start() < claimed:
                continue
            parts, possessive = _parts(m.group())
            if not all(p in lex.eponyms or p in lex.diseases or p in _JOINERS for p in parts):
                continue
            if not any(p in lex.eponyms or p in lex.diseases for p in parts) or _honorific(text, m.start()):
                continue
            end = _head_end(text, m.end(), lex)
            if end is None and (
                (len(parts) == 1 and parts[0] in _STANDALONE)
                or (possessive and parts[-1] in lex.diseases)
                or (_GRADE.match(text, m.end()) and parts[-1] in lex.eponyms)
                or (len(parts) > 1 and any(p in lex.diseases for p in parts))  # "Guillain-Barré"
            ):
                end = m.end()
            if end is not None:
                spans.append((m.start(), end))
                claimed = end
        return [make_result(self, ENTITY, s, e, 0.9) for s, e in spans]


def _parts(word: str) -> tuple[list[str], bool]:
    """Lower-case parts of a hyphenated word, without a possessive ending."""
    word = _deaccent(word.lower().replace("’", "'"))
    possessive = word.endswith(("'s", "'"))
    word = word[:-2] if word.endswith("'s") else word.rstrip("'")
    return [p for p in word.split("-") if p], possessive


def _head_end(text: str, pos: int, lex) -> int | None:
    """The end of the head word after an eponym ("Romberg test", "Glasgow coma scale"),
    passing eponyms, joiners and up to two modifiers ("Ottawa ankle rule")."""
    end, modifiers = None, 0
    for _ in range(6):
        m = _NEXT.match(text, pos)
        if not m:
            break
        parts, _ = _parts(m.group(1))
        key = parts[-1] if parts else ""
        if key in _HEADS or key in _FINDINGS:  # "Romberg test", "Romberg positive"
            end = pos = m.end()
            continue
        if end is not None:
            break
        if all(p in lex.eponyms or p in lex.diseases or p in _JOINERS for p in parts):
            pos = m.end()
        elif key in _MODIFIERS and modifiers < 2:
            modifiers += 1
            pos = m.end()
        else:
            break
    return end


def _honorific(text: str, start: int) -> bool:
    return _HONORIFIC.search(text, max(0, start - 12), start) is not None
