"""Person names and place names that a small NER model misses.

spaCy's small English model knows English names in English sentences.  It misses
names from other languages ("Szabina J Gelencsér"), names in lists, forms and
letters, and small towns, and it calls many people ORG.  ``NameRecognizer``
complements it with evidence a reader uses too:

- *lexicons* (``recognizers/lexicons/``): given names, surnames and places, built
  offline from public sources by ``tools/build_lexicons.py``; a surname ending
  ("-ović", "-ska", "-sson", "-nen") counts as a surname;
- *shape*: a run of capitalised words on one line, with initials ("J.") and
  particles ("van", "de", "bin") inside;
- *context*: an honorific, "my name is" or "Dear" before a run, "said" or "lives
  at" after it; a place cue ("flew to", "grew up in") before it or ", <country>"
  after it; a small US town (``us_towns.txt``) only beside such a cue ("in
  Montpelier", "Slaton, TX"); "<Name> County";
- *the document*: a list whose members are mostly names ("Kónya, Becker and
  Vasquez"), transcript speakers ("Nicole: ..."), a name alone on the line that
  heads a letter or an address block, and later mentions of a name already found
  ("Maciej Borkowski ... Borkowski");
- *forms* (``forms.py``): "GREENBERG, ELI", HL7 "OKAFOR^CHIDI", "RN Lakshmi",
  "daughter maria", "dr. patel", signatures ("-jt", "thanks, bill").

Precision guards: the thousand most frequent English words (``frequent_words.txt``
plus spaCy's stop words and the calendar) are not names on their own; a word of
the English dictionary (``common_words.txt``) that no lexicon lists as a name or
place ("Discipline", "Orchestra") is never part of a name; a name or place that is
also an English word (``name_words.txt``: "Love", "Royal", "Split") needs a cue; a
run holding an organisation or street word ("Inc", "Group", "Street") is neither a
person nor a place; a known place is not a person unless context says so; words of
three letters or fewer, or shaped like "RDs", are not names alone.
Text with no capital letters at all (chat logs, lower-cased exports) is read with
the lexicons: a given name followed by a surname, a name after a strong cue, lists
and speakers.

Everything is set lookups over the runs of the text; no loop touches a lexicon.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from presidio_analyzer import EntityRecognizer, RecognizerResult

from ..pii import make_result
from .cased import _CasedReading
from .forms import form_names
from .lexicons import Lexicons, fold, load_lexicons
from .lowercase import _LowercaseReading
from .reading import LOCATION, PERSON
from .runs import typed_in_lower_case

__all__ = ["LOCATION", "PERSON", "Lexicons", "NameRecognizer", "fold", "load_lexicons"]


class NameRecognizer(_CasedReading, _LowercaseReading, EntityRecognizer):
    """Person and place names from lexicons, shape and context (see module docstring)."""

    def __init__(self, lexicon_dir: Path | None = None) -> None:
        self._lexicon_dir = lexicon_dir
        self.lex: Lexicons | None = None
        super().__init__(supported_entities=[PERSON, LOCATION], name="NameRecognizer", supported_language="en")

    def load(self) -> None:
        self.lex = load_lexicons(self._lexicon_dir)

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        if self.lex is None:
            self.load()
        if typed_in_lower_case(text):
            readings = self._read_lowercase(text)
        else:
            readings = self._read_cased(text)
        readings += form_names(text, self.lex)
        return [
            make_result(self, r.entity, r.start, r.end, round(min(r.score, 0.95), 3))
            for r in readings
            if r.score >= 0.5 and (not entities or r.entity in entities)
        ]
