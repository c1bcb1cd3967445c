"""What a note writes right beside a person's name: an age, a nickname in quotes.

Forms and messages give a patient's age after the name without a word that says it is
one: "Pt: Winifred Oyelowo, 97 F", "niece of pt Anselm Falk (94)".  The age packs need
"yo", "age" or a sex letter glued to the number; here the name found just before is the
cue.  Only 90 and over is an identifier (Safe Harbor C); a number in parentheses must
close there ("(95 mg/dl" is a reading), and after a comma a sex letter, "yo" or another
comma must follow.

A word in quotes right after a name is what the person goes by: 'SON GRZEGORZ ("GREG")',
'Tomasz "Tommy" Wrobel'.
"""

from __future__ import annotations

import regex as re

from .candidate import Candidate

RECOGNIZER = "BesideName"
_AGE = r"(9\d|1[01]\d)"
_AGE_BESIDE = re.compile(rf"[ \t]*\([ \t]*{_AGE}[ \t]*\)|,[ \t]*{_AGE}(?:[ \t]*(?:[MF]|y/?o|yo|y\.o\.)(?![\p{{L}}\d/])|(?=,))")
_NICKNAME_BESIDE = re.compile(r"[ \t]*\(?[\"“]([\p{L}][\p{L}\p{M}'’.-]{0,20})[\"”]\)?")


def beside_names(text: str, cands: list[Candidate]) -> list[Candidate]:
    """AGE_OVER_89 and PERSON candidates for an age or a nickname that follows a PERSON candidate directly."""
    out = []
    for c in cands:
        if c.entity_type != "PERSON":
            continue
        for pattern, kind, score in ((_AGE_BESIDE, "AGE_OVER_89", 0.8), (_NICKNAME_BESIDE, "PERSON", 0.6)):
            if m := pattern.match(text, c.end):
                group = next(g for g in range(1, len(m.groups()) + 1) if m.group(g))
                if not any(o.start < m.end(group) and m.start(group) < o.end for o in cands + out):
                    out.append(Candidate(kind, m.start(group), m.end(group), score, RECOGNIZER))
    return out
