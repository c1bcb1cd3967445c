"""What a note writes right beside a person's name: an age, a nickname in quotes.

Forms and messages give a patient's age after the name without a word that says it is
one: "Pt: Winifred Oyelowo, 97 F", "niece of pt Anselm Falk (94)".  The age packs need
"yo", "age" or a sex letter glued to the number; here the name found just before is the
cue.  Only 90 and over is an identifier (Safe Harbor C); a number in parentheses must
close there ("(95 mg/dl" is a reading), and after a comma a sex letter, "yo" or another
comma must follow.

A word in quotes right after a name is what the person goes by: 'SON GRZEGORZ ("GREG")',
'Tomasz "Tommy" Wrobel'.

A known town in brackets or after a comma right after a facility's name is where it is:
"FROM: BRACKENFELL COMMUNITY HOSPITAL (ATHOL)", "Sycamore Glen Rehabilitation Center, Natick".
A capitalised name joined to a facility's by "and" or "or", where the phrase ends, is a second
facility: "SCREENED BY MILLBROOK REHAB AND KILDARROCH.", "sent to Halcyon Shore Rehabilitation Center
and Brackwater"; none of its words is a word a sentence is made of ("AND PT.", "and Nursing").
"""

from __future__ import annotations

import regex as re

from .candidate import Candidate
from .facilities import _sentence_word
from .names.lexicons import fold, load_lexicons

RECOGNIZER = "BesideName"
_AGE = r"(9\d|1[01]\d)"
_AGE_BESIDE = re.compile(rf"[ \t]*\([ \t]*{_AGE}[ \t]*\)|,[ \t]*{_AGE}(?:[ \t]*(?:[MF]|y/?o|yo|y\.o\.)(?![\p{{L}}\d/])|(?=,))")
_NICKNAME_BESIDE = re.compile(r"[ \t]*\(?[\"“]([\p{L}][\p{L}\p{M}'’.-]{0,20})[\"”]\)?")


# one or two words, then the bracket's close, or the end of the phrase after a comma
_TOWN_BESIDE = re.compile(r"[ \t]*(?:\([ \t]*(\p{L}[\p{L}'’.-]*(?:[ \t]\p{L}[\p{L}'’.-]*)?)[ \t]*\)"
                          r"|,[ \t]*(\p{L}[\p{L}'’.-]*(?:[ \t]\p{L}[\p{L}'’.-]*)?)(?=[ \t]*(?:$|[\n,;.)]|[ \t]{2})))")


_FACILITY_JOINED = re.compile(r"[ \t]+(?:and|or|AND|OR|&)[ \t]+((?:[A-Z][\p{L}'’]+[ \t]+){0,2}[A-Z][\p{L}'’]+)"
                              r"(?=[ \t]*(?:$|[\n.,;:()]))")


def _town(words: str) -> bool:
    lex = load_lexicons()
    return fold(words) in lex.towns or fold(words) in lex.places and fold(words) not in lex.common


def _no_sentence_word(words: str) -> bool:
    return not any(_sentence_word(w) for w in words.split())


def _anything(words: str) -> bool:
    return True


# What may follow a candidate of each type: (pattern, type found, score, test of the words found).
_BESIDE = {
    "PERSON": ((_AGE_BESIDE, "AGE_OVER_89", 0.8, _anything), (_NICKNAME_BESIDE, "PERSON", 0.6, _anything)),
    "HEALTHCARE_FACILITY": ((_TOWN_BESIDE, "LOCATION", 0.6, _town),
                            (_FACILITY_JOINED, "HEALTHCARE_FACILITY", 0.6, _no_sentence_word)),
    "LOCATION": ((_TOWN_BESIDE, "LOCATION", 0.6, _town),),
}


def beside_names(text: str, cands: list[Candidate]) -> list[Candidate]:
    """AGE_OVER_89 and PERSON candidates for an age or a nickname that follows a PERSON candidate directly,
    LOCATION for a known town that follows a HEALTHCARE_FACILITY (or LOCATION) candidate, HEALTHCARE_FACILITY
    for a second facility joined to one."""
    out = []
    for c in cands:
        for pattern, kind, score, accept in _BESIDE.get(c.entity_type, ()):
            if (m := pattern.match(text, c.end)) is None:
                continue
            group = next(g for g in range(1, len(m.groups()) + 1) if m.group(g))
            if accept(m.group(group)) and not any(
                    o.start < m.end(group) and m.start(group) < o.end and (kind != "LOCATION" or o.entity_type != "PERSON")
                    for o in cands + out):  # a town NER took for a person is still the town
                out.append(Candidate(kind, m.start(group), m.end(group), score, RECOGNIZER))
    return out
