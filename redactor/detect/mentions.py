"""Later mentions of a name found once in the same text.

A note names a facility or a person in full once, where a cue or a title tells it
("transferred from Tamsworth Rehab", "DR WOJTASZEK AWARE"), and then by its distinctive
word alone ("back to tamsworth", "PER WOJTASZEK"), where nothing tells it but the first
mention.  ``later_mentions`` reads each person or facility candidate's distinctive words
and marks their other bare occurrences in the text with the same type, where no other
candidate covers them.

A distinctive word is four letters or more and no word of care (``shorthand_word``: no
frequent, stop or dictionary word, clinical vocabulary, shorthand, drug or abbreviation),
no state or country, and for a facility no word that describes facilities ("Regional",
"Rehab").  A person's word must also be no English word that name lists hold too ("DR
THRUSH" is a person, "mouth care for thrush" is not); a facility's may be a rare word
("Sandpiper Rehab", then "sandpiper").  A facility's words before its head, two or more of
them, name it again as a phrase even where each is an English word ("Larkspur Meadow Home
Health", then "larkspur meadow intake called"), unless one is generic or a word of care; and a
name's word in the possessive is the name ("BACK TO HOLLISTER VIA HOLLISTER'S VAN").  A person that only a statistical model read, with no
cue, is marked again in a text written with capitals only where the word keeps its capital
("Salesperson of the Month" ... "a salesperson" is the ordinary word).

A facility's abbreviation that the note defines in brackets right after its name
("Kestrel Valley Regional (KVR)") is that facility wherever the note uses it, even where
the letters also spell a clinical abbreviation: ``defined_abbreviations``.  The letters
must be the name's initials in order, starting with its first word's and holding a word's
that does not only describe a facility ("Harlow Emergency Department (ED)" defines nothing).
"""

from __future__ import annotations

import regex as re

from .candidate import STATISTICAL_RECOGNIZERS, Candidate
from .clinical import _lexicons
from .facilities import _structural_word
from .facility_heads import _heads, _is_generic
from .names.lexicons import fold, load_lexicons
from .names.runs import typed_in_lower_case
from .shorthand import shorthand_word

RECOGNIZER = "LaterMention"
SCORE = 0.6
KINDS = ("PERSON", "HEALTHCARE_FACILITY")
_RUN = re.compile(r"[\w'’-]+")
_POSSESSIVE = re.compile(r"['’][sS]$")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’]*(?:['’][^\W\d_]+)?")


def _distinctive(word: str, kind: str) -> bool:
    key = fold(word)
    lex = load_lexicons()
    if len(key) < 4 or shorthand_word(word) or key in lex.dictionary or key in _lexicons().regions:
        return False
    return key not in lex.ambiguous if kind == "PERSON" else not _is_generic(word)


def later_mentions(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Candidates for the bare occurrences of each person's or facility's distinctive words."""
    words: dict[str, str] = {}  # casefolded word -> the type of the name it was found in
    guessed: set[str] = set()  # words of persons only a statistical model read
    for c in sorted(cands, key=lambda c: c.entity_type != "HEALTHCARE_FACILITY"):  # a facility's word first
        if c.entity_type in KINDS and c.recognizer != RECOGNIZER:
            for m in _NAME_WORD.finditer(text, c.start, c.end):
                if _distinctive(m.group(), c.entity_type):
                    key = m.group().casefold()
                    if key not in words and c.entity_type == "PERSON" and c.recognizer in STATISTICAL_RECOGNIZERS:
                        guessed.add(key)
                    elif c.recognizer not in STATISTICAL_RECOGNIZERS:
                        guessed.discard(key)
                    words.setdefault(key, c.entity_type)
    out = _phrases_again(text, cands)
    if not words:
        return out
    cased = not typed_in_lower_case(text)
    for m in _RUN.finditer(text):  # a name's word stands alone: not inside "x-tamsworth", but "tamsworth's"
        end = m.end() - (2 if _POSSESSIVE.search(m.group()) else 0)
        key = text[m.start() : end].casefold()
        if key not in words or cased and m.group()[0].islower() and key in guessed:
            continue
        if not any(c.start < end and m.start() < c.end for c in cands + out):
            out.append(Candidate(words[key], m.start(), end, SCORE, RECOGNIZER))
    return out


def _phrases_again(text: str, cands: list[Candidate]) -> list[Candidate]:
    """The other bare uses of a facility's words before its head, two words or more of which
    none is generic or a word of care ("larkspur meadow" after "Larkspur Meadow Home Health")."""
    out: list[Candidate] = []
    for c in cands:
        head = _heads()[0].search(text, c.start, c.end) if c.entity_type == "HEALTHCARE_FACILITY" else None
        if c.recognizer == RECOGNIZER or not head:
            continue
        words = [m.group() for m in _NAME_WORD.finditer(text, c.start, head.start())]
        if len(words) < 2 or any(_is_generic(w) or _structural_word(w) for w in words):
            continue
        phrase = r"[ \t]+".join(re.escape(w) for w in words)
        for m in re.finditer(rf"(?i)(?<![\w'’-]){phrase}(?![\w-])", text):
            if not any(k.start < m.end() and m.start() < k.end for k in cands + out):
                out.append(Candidate("HEALTHCARE_FACILITY", m.start(), m.end(), SCORE, RECOGNIZER))
    return out


# "(KVR)", and in lower case "(kvr)", three letters at least there ("(mr)" is also a title)
_DEFINED = re.compile(r"[ \t]*\(([A-Z]{2,6}|[a-z]{3,6})\)")
_JOINERS = frozenset({"of", "and", "&", "the", "at", "-"})


def _initials_of(abbreviation: str, name: str) -> bool:
    words = [w for w in re.split(r"[ \t-]+", name) if w and w.lower() not in _JOINERS]
    abbreviation = abbreviation.upper()
    if not words or abbreviation[0] != words[0][0].upper():
        return False
    i = 0
    named = False
    for w in words:
        if i < len(abbreviation) and w[0].upper() == abbreviation[i]:
            named = named or not _is_generic(w)
            i += 1
    return i == len(abbreviation) and named


def defined_abbreviations(text: str, cands: list[Candidate]) -> list[Candidate]:
    """The bracketed abbreviation after a facility's name, and its other bare uses in the text; and
    the initials of a facility's name of three words or more used alone ("admitted from Bayberry
    Point Rehab ... back to BPR"), where the letters spell no clinical abbreviation."""
    out = []
    for c in cands:
        if c.entity_type != "HEALTHCARE_FACILITY":
            continue
        name = text[c.start : c.end]
        if (m := _DEFINED.match(text, c.end)) and _initials_of(m.group(1), name):
            letters = m.group(1)
        else:  # not defined: used alone where the letters spell no clinical abbreviation
            letters = _initials(name)
            if len(letters) < 3 or not _initials_of(letters, name) or shorthand_word(letters):
                continue
        for use in re.finditer(rf"(?<![\w'’-]){letters}(?![\w'’-])", text):
            out.append(Candidate("HEALTHCARE_FACILITY", use.start(), use.end(), 0.8, RECOGNIZER))
    return out


def _initials(name: str) -> str:
    """The first letters of a name's words: "BPR" for "Bayberry Point Rehab"."""
    return "".join(w[0] for w in re.split(r"[ \t-]+", name) if w and w.lower() not in _JOINERS).upper()
