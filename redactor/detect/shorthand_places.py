"""Places that nursing shorthand names by context alone, in any case: hospitals and wards
behind admission and transfer cues ("ADMITTED TO SJH", "transferred from Whitmore 4",
"sent to kelso hosp", "MEDFLIGHT FROM LAKEVIEW MED CTR").

A hospital abbreviation must not be a unit or service ("TO MICU", "FROM OR", "TO EP"),
clinical shorthand, a frequent word or a state; a ward's name must not be a word of
shorthand or of the dictionary.  ``ShorthandNameRecognizer`` reports what this module
finds, so the shorthand safe patterns (``shorthand.py``) leave it be.
"""

from __future__ import annotations

import regex as re
from spacy.lang.en.stop_words import STOP_WORDS

from .clinical import _ABBREVIATIONS, _clinical_vocabulary, _lexicons
from .names.lexicons import fold, load_lexicons
from .shorthand import _shorthand_terms, shorthand_word

__all__ = ["shorthand_places"]

_W = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]+)?"
_ADMIT_CUE = (r"(?:admitted|admit|adm|readmitted|transferred|transfered|transfer|trans|xfer|xferred|sent|taken|"
              r"brought|medflighted|medflight|flown|came|presented|returned|referred|discharged|accepted|excepted|"
              r"screened|evaluated|followed|arrived)(?:[ \t]+(?:back|over|here|in|him|her|pt))?[ \t]+"
              r"(?:to|from|at|into|in|by)[ \t]+(?:the[ \t]+)?")
_ADMIT_ACRONYM = re.compile(rf"(?i)\b{_ADMIT_CUE}(?-i:([A-Z]{{2,5}}|[a-z]{{2,4}}))(?![\w'’-])")
_HOSPITAL = re.compile(rf"(?i)\b((?:{_W}[ \t]+){{1,3}}?)(?:hosp(?:ital)?|hospiatal|med(?:ical)?\.?[ \t]+c(?:en)?t(?:e)?r|"
                       r"memorial|campus|nursing[ \t]+home|rehab(?:ilitation)?[ \t]+(?:center|hospital))\b\.?")
_WARD = re.compile(rf"(?i)\b(?:to|from|on|at)[ \t]+({_W})[ \t]?([1-9][A-Za-z]?)(?:/[1-9])?(?![\w./%])"
                   r"(?![ \t]*(?:mcg|mg|units?|u|cc|ml|l|lpm|%|hrs?|hours?|days?|x|times|mm|cm)\b)")
# Units and services written where a hospital could be: "TO MICU", "FROM OR", "TO EP LAB".
_UNITS = frozenset(
    """ICU MICU SICU CCU CSRU CVICU TSICU NSICU PICU NICU PACU TCU ED ER EW EU OR EP IR CT MRI CATH LAB
    OSH NH SNF ICF LTAC LTACH REHAB VNA PT OT SW HO MD NP RN PA RRT""".split()
)


def _name_word(word: str) -> bool:
    """Not shorthand, not a frequent word, and long enough to be a name."""
    return len(word) > 1 and not shorthand_word(word) and fold(word) not in STOP_WORDS


def _known(word: str) -> bool:
    """A name list holds it, and it is no frequent, clinical or stop word ("PRICE", not "AWARE")."""
    lex = load_lexicons()
    key = fold(word)
    return lex.is_name(key) and key not in _shorthand_terms() and key not in lex.common and key not in STOP_WORDS \
        and key not in _clinical_vocabulary() and word.upper() not in _ABBREVIATIONS


def shorthand_places(text: str) -> list[tuple[str, int, int, float]]:
    """(entity type, start, end, score) of each hospital and ward named by context."""
    out = []
    regions = _lexicons().region_codes
    for m in _ADMIT_ACRONYM.finditer(text):
        word = m.group(1)
        key = fold(word)
        if word.upper() in _UNITS or word.upper() in _ABBREVIATIONS or word.upper() in regions or key in STOP_WORDS \
                or key in _shorthand_terms() or key in _clinical_vocabulary() or key in load_lexicons().common \
                or key in load_lexicons().dictionary and len(key) >= 4:
            continue  # "TO MICU", "TO FLOOR", "FROM TLC"
        out.append(("LOCATION", m.start(1), m.end(1), 0.6))
    for m in _HOSPITAL.finditer(text):
        words = m.group(1).split()
        k = len(words)  # the name is the words right before the head, back to a stop or frequent word
        while k and not (fold(words[k - 1]) in STOP_WORDS or fold(words[k - 1]) in load_lexicons().common
                         or fold(words[k - 1]) in _shorthand_terms() or words[k - 1].upper() in _ABBREVIATIONS):
            k -= 1
        words = words[k:]
        if not words or not (_name_word(words[-1]) or _known(words[-1])):
            continue
        start = m.start(1) + m.group(1).rfind(" ".join(words))
        out.append(("LOCATION", start, m.end(), 0.6))
    for m in _WARD.finditer(text):
        word = m.group(1)
        if len(word) >= 5 and _name_word(word) and fold(word) not in load_lexicons().dictionary:
            out.append(("LOCATION", m.start(1), m.end(2), 0.6))
    return out
