"""Names in the shapes that forms, records and signed messages give them, which the
reading of runs does not see: runs stop at commas, carets and lower case.

- *surname first*: "GREENBERG, ELI", "Bergstrom, Hal", "BRENNAN, M" (a roster, a lab
  report header), when the given name is a known one, or the surname is and an initial
  follows;
- *HL7 name fields*: "OKAFOR^CHIDI", "FAIRBANKS^ART^J", in a message with ``|`` fields;
- *role before or after*: "RN Lakshmi", "MD Ngata aware", "Jordan, RN";
- *relatives and titles in lower case*: "daughter maria", "neighbor art", "dr. patel";
- *signatures*: "-jt", "- nadia", "-MK, LPN" ending a line, "thanks, bill" ending a text.

Each shape needs lexicon support (a known given name or surname) or is one no
ordinary word takes (an initial after a dash at the end of a line).
"""

from __future__ import annotations

import regex as re
from spacy.lang.en.stop_words import STOP_WORDS

from ..clinical import _ABBREVIATIONS
from .cues import _US_STATE_CODES
from .lexicons import _NAME_PARTICLES, Lexicons, fold
from .reading import PERSON, _Reading
from ..vocabulary import COMMON_HONORIFICS, RELATIVES, alternation

_CREDENTIAL = r"(?:RN|MD|DO|NP|PA|PA-C|LPN|CNA|CM|SW|LCSW|LMFT|PT|DPT|OT|RT|RD|PharmD|CPhT|APRN|CRNA|CNM|MA|EMT|NRP)"
_WORD = r"\p{Lu}[\p{L}\p{M}'’-]+"
_SURNAME_FIRST = re.compile(rf"(?<![\p{{L}}\p{{M}}'’-])({_WORD}),[ \t]*({_WORD}|\p{{Lu}}\.?)(?![\p{{L}}\p{{M}}\d'’-])")  # not "Brandt, G2P1"
# "Patient: Jang, Min-jun", "PT PARK, JIN-HO", "Re: Oyelaran, Tolu": after a name's label a surname-first pair is a
# name though neither word is on a name list
# "Discharge Summary Young, Patrick", "Emergency contact: Bishop, Lorraine": a document's header or a contact label
_NAME_LABEL_BEFORE = re.compile(r"(?i)\b(?:(?:patient|pt)[ \t]*[:#]?|(?:name|re|member|subscriber|guarantor|insured|contact)"
                                r"(?:[ \t]+name)?[ \t]*[:#]|(?:discharge|transfer|admission|consult(?:ation)?)[ \t]+"
                                r"(?:summary|note|report)[ \t]*[:|-]?)[ \t]*$")
_MIDDLE = re.compile(rf" (\p{{Lu}}\.?(?![\p{{L}}\d])|{_WORD})(?![\d])")  # "Quinones, Adela M.", "Dillard, Opal Faye"
_HL7_NAME = re.compile(r"(?<=[|~^])(\p{Lu}[\p{L}'’-]+)\^(\p{Lu}[\p{L}'’ -]*[\p{L}])(?:\^(\p{Lu}[\p{L}]*))?(?=[|^~]|$)", re.M)
_ROLE_BEFORE = re.compile(rf"(?<![\p{{L}}-]){_CREDENTIAL}[ \t]+(\p{{Lu}}[\p{{Ll}}\p{{M}}'’-]+)")
_ROLE_AFTER = re.compile(rf"(\p{{Lu}}[\p{{Ll}}\p{{M}}'’-]+),?[ \t]+({_CREDENTIAL})(?![\p{{L}}-])")
_KIN = re.compile(rf"\b{alternation(RELATIVES)}[ \t]+([\p{{L}}][\p{{Ll}}\p{{M}}'’-]+)", re.IGNORECASE)
# with its full stop even "ms" is a title ("ms. ruiz"); "dra." is Spanish for a woman doctor
_TITLE_LOWER = re.compile(rf"\b{alternation(('dra',) + tuple(h for h in COMMON_HONORIFICS if h != 'miss'))}\.[ \t]+"
                          r"([\p{Ll}][\p{Ll}\p{M}'’-]+)")
# "- mh rn", "-m.g. rn", "Dr. Sorensen / ck" end a line: initials or a given name sign, a credential may follow
_SIGNATURE = re.compile(
    r"(?m)(?:^|[ \t])(?:[-—–~]|(?<=[ \t])/)[ \t]?((?:\p{L}\.){2,3}|[\p{L}][\p{L}'’-]*)"
    rf"(?=[ \t]*(?:,[ \t]*[A-Z][A-Za-z]{{1,5}}|,?[ \t]*(?i:{_CREDENTIAL}))?[ \t.!]*$)"
)
_CLOSING = re.compile(
    r"\b(?:thanks|thank[ \t]+you|thx|regards|cheers|love(?:[ \t]+you(?:[ \t]+all)?)?|best|sincerely)[ \t]*[!,.]*[ \t]*[-—–]?[ \t]*"
    r"([\p{L}][\p{Ll}\p{M}'’-]+)[ \t.!]*$",
    re.IGNORECASE,
)
_REGIONS_AS_NAMES = frozenset({"georgia", "virginia", "carolina", "dakota", "indiana", "montana", "florida"})


# 'ignatius "iggy" pruszynski', 'ROSALIND "ROZ" ACHTERBERG', 'gerald "gerry" van der meer': a given name, what the
# person goes by in quotes (one word: not 'BROWN "DOT-LIKE" DISCOLORATIONS'), and the surname, in any case
_QUOTED_BETWEEN = re.compile(r"(?<![\p{L}\p{M}'’-])([\p{L}][\p{L}\p{M}'’-]+)[ \t]+[\"“][\p{L}][\p{L}\p{M}'’.]{0,15}[\"”][ \t]+"
                             rf"((?:(?i:{alternation(_NAME_PARTICLES)})[ \t]+)*[\p{{L}}][\p{{L}}\p{{M}}'’-]+)")
_NEXT_WORD = re.compile(r"[ \t]+([\p{L}][\p{L}\p{M}'’-]+)")


def _surname_after(given: str, word: str, lex: Lexicons) -> bool:
    """A relative's given name goes on into ``word``: written in the same case, no English, stop
    or frequent word and no abbreviation ("DAUGHTER MARIA HCP")."""
    same_case = word.isupper() == given.isupper() and word[0].isupper() == given[0].isupper()
    key = fold(word)
    return (same_case and fold(given) not in STOP_WORDS and fold(given) not in lex.common and len(key) > 2
            and not any(key in words for words in (STOP_WORDS, lex.common)) and not lex.is_word(key)
            and (key in lex.last or key not in lex.places and key not in lex.towns) and word.upper() not in _ABBREVIATIONS)


def form_names(text: str, lex: Lexicons) -> list[_Reading]:
    out: list[_Reading] = []

    def given(word: str) -> bool:
        return fold(word) in lex.first

    def known(word: str) -> bool:
        return lex.is_name(fold(word))

    def plain(word: str) -> bool:  # not an ordinary English word
        return not lex.is_word(fold(word))

    if "," in text:
        for m in _SURNAME_FIRST.finditer(text):
            last, first = m.group(1), m.group(2)
            initial = len(first.rstrip(".")) == 1
            if first in _US_STATE_CODES or fold(first) in _REGIONS_AS_NAMES or (fold(last) in lex.places and not known(last)):
                continue  # "Seattle, WA", "Macon, Georgia"
            labelled = _NAME_LABEL_BEFORE.search(text, max(0, m.start() - 24), m.start()) is not None
            # a surname that is a word ("Young, Patrick") only after a label, before a known given name
            if not ((plain(last) or labelled and given(first) and fold(last) in lex.last)
                    and (initial or plain(first) or given(first))):
                continue
            if (given(first) and not initial and (known(last) or fold(last) not in lex.dictionary)) or (
                    initial and fold(last) in lex.last) or labelled and plain(first):
                end = m.end()
                if (middle := _MIDDLE.match(text, end)) and (len(middle.group(1).rstrip(".")) == 1 or given(middle.group(1))):
                    end = middle.end()
                out.append(_Reading(PERSON, m.start(), end, 0.7))
    if "^" in text and "|" in text:
        for m in _HL7_NAME.finditer(text):
            words = [w for p in m.groups()[:2] if p for w in p.split()]
            if all(len(w) > 2 and (known(w) or fold(w) not in lex.dictionary) for w in words) and any(known(w) for w in words):
                out.append(_Reading(PERSON, m.start(), m.end(), 0.75))
    for pattern in (_ROLE_BEFORE, _ROLE_AFTER):
        for m in pattern.finditer(text):
            word = m.group(1)
            if pattern is _ROLE_AFTER and m.group(2) in _US_STATE_CODES and (fold(word) in lex.places or fold(word) in lex.towns):
                continue  # "Erie, PA", "Baltimore, MD"
            if given(word) or (fold(word) not in lex.dictionary and fold(word) not in lex.places
                               and fold(word) not in lex.towns and fold(word) not in lex.common):
                if not (fold(word) in lex.common or (fold(word) in lex.places and not given(word))):
                    out.append(_Reading(PERSON, m.start(1), m.end(1), 0.65))  # not "Erie, PA"
    if "\"" in text or "“" in text:
        for m in _QUOTED_BETWEEN.finditer(text):
            last = fold(m.group(2).split()[-1])
            if given(m.group(1)) and fold(m.group(1)) not in STOP_WORDS and last not in lex.common and (
                    not lex.is_word(last) or last in lex.last):
                out.append(_Reading(PERSON, m.start(), m.end(), 0.7))
    for m in _KIN.finditer(text):
        word = m.group(1)
        if given(word) and (word[0].isupper() or fold(word) not in STOP_WORDS):  # "son Will", not "son will"
            end = m.end(1)
            if (then := _NEXT_WORD.match(text, end)) and _surname_after(word, then.group(1), lex):
                end = then.end()  # "SISTER BERNADINE OKORO-LANG", not "SON WILL VISIT"
            out.append(_Reading(PERSON, m.start(1), end, 0.6))
    for m in _TITLE_LOWER.finditer(text):
        if fold(m.group(1)) not in STOP_WORDS:
            out.append(_Reading(PERSON, m.start(1), m.end(1), 0.6))
    for m in _SIGNATURE.finditer(text):
        word = m.group(1)
        letters = word.replace(".", "")
        initials = (len(letters) <= 3 and (letters.islower() or letters.isupper()) and fold(letters) not in lex.common
                    and letters.upper() not in _ABBREVIATIONS)
        if initials or (given(word) and fold(word) not in lex.common):
            out.append(_Reading(PERSON, m.start(1), m.end(1), 0.6))
    if (m := _CLOSING.search(text[-80:])) is not None and given(m.group(1)) and fold(m.group(1)) not in STOP_WORDS:
        offset = max(0, len(text) - 80)
        out.append(_Reading(PERSON, offset + m.start(1), offset + m.end(1), 0.6))
    return out
