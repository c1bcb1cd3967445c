"""What the project's clinical NER (``clinical_ner.py``) must show before its reading is kept.

The model reads names in any case, so in a nursing note it also reads care phrases as names
("will keep watching rhythm", "heels red from steady pressure", "pulling at tele leads").  A reading
is kept only with evidence a reader would use too:

- *a distinctive word*: a given name, surname, place or town that is not also an ordinary
  word ("orsolya", "Ipswich"; not "rhythm", "daily"), or a word that no word list holds and
  that is not a known word with a letter too many ("quenwick"; not "thermometter");
- *a place's shape*: a word that names a kind of place or a facility, with a name before it
  and no care word in it ("willow hollow", "Quillan Memorial"; not "Cardiac Memorial");
- *a person's context*: an initial opening the name ("M. Pellworth"), or a title or relation
  word before it ("rn candy");
- *a place cue* before a single known place that is also a word ("return to Dover").

A name and a word for a thing is an eponym's device or measure, not a person ("Garrick sling").
"""

from __future__ import annotations

import re

from .facility_heads import _is_generic
from .names.cues import _PLACE_PREP_BEFORE
from .names.lexicons import _STREET_WORDS, load_lexicons
from .shorthand import _FACILITY_HEAD, _key, clinical_word, person_word_before, shorthand_word
from .shorthand_places import _CARE_WORDS

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Kinds of place that name estates, homes and clinics, beside the street types ("point", "hollow")
_PLACE_NOUNS = _STREET_WORDS | frozenset("garden falls plains pond lake bay brook woods pines city".split())
_INITIAL_FIRST = re.compile(r"[A-Z]\.[ \t]*[A-Za-z]")


def has_evidence(text: str, start: int, end: int, label: str) -> bool:
    value = text[start:end]
    words = _WORD.findall(value)
    if not words or label == "PERSON" and len(words) == 2 and _thing(words[-1]) \
            or len(words) == 1 and _key(words[0]) in _CARE_WORDS:  # "assisted in bath"
        return False
    if any(_distinctive(w) for w in words):
        return True
    care = any(clinical_word(w) and not load_lexicons().is_name(_key(w)) for w in words)
    if len(words) > 1 and not care and any(_key(w) in _PLACE_NOUNS for w in words[1:]):
        return True
    if label == "PERSON":
        return bool(_INITIAL_FIRST.match(value)) or (
            person_word_before(text, start) and not all(shorthand_word(w) for w in words))
    if label == "HEALTHCARE_FACILITY" and (head := _FACILITY_HEAD.search(value)):
        return any(not shorthand_word(w) and not clinical_word(w) for w in _WORD.findall(value[: head.start()]))
    key = _key(words[0])
    return len(words) == 1 and key in load_lexicons().places and bool(_PLACE_PREP_BEFORE.search(text, max(0, start - 12), start))


def _thing(word: str) -> bool:
    """"Garrick sling", "Fenner output": a word for a thing after a name makes it an eponym's device or measure."""
    key = _key(word)
    return key.isalpha() and len(key) > 1 and key not in _PLACE_NOUNS and shorthand_word(word) \
        and not load_lexicons().is_name(key)


def _distinctive(word: str) -> bool:
    key = _key(word)
    lex = load_lexicons()
    if shorthand_word(word) or clinical_word(word) or _is_generic(word):
        return False
    if lex.is_name(key) or key in lex.places or key in lex.towns:
        return not (key in lex.dictionary and key in lex.ambiguous)
    return len(key) >= 4 and key.isalpha() and key not in lex.dictionary and any(v in key for v in "aeiouy") \
        and not _one_letter_over(key)


def _one_letter_over(key: str) -> bool:
    """"thermometter", "flutterr": a known word with one letter too many."""
    return len(key) >= 5 and any(shorthand_word(key[:i] + key[i + 1 :]) for i in range(len(key)))
