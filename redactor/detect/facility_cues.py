"""Facilities a note names without a head word, in any case, where a cue says the name is
a place of care:

- *records from it*: an image, a film, records or a number that came from it, before a date,
  a number or "dated" ("OUTSIDE CT FROM WYNDHAVEN 3/2/26", "MRN FROM BELLCOTE 00-1182-4",
  "old films from marrowby dated 1/4/2019");
- *a procedure there, before a month and year*: "PRIOR CABG AT THORNLEY IN 5/09";
- *a transfer*: after a cue that moves the patient, a name before a date or a unit
  ("transferred from ellerby 12/15", "pt transferred from dunmore vale icu 12/10") or "where"
  ("TRANSFERRED BACK TO QUENBY WHERE ..."), or a
  hyphenated name where the phrase ends ("TRANSFER TO ASHBY-KERR CLOSER TO HOME");
- *a disposition*: "DISPO: GARNET HOLLOW, REPORT TO ...";
- *its kind in brackets*: "94 yo f from lotus row (assisted living in ...)", "BIBA FROM ASPEN
  HOLLOW (NURSING HOME IN ...)", "Admitted From: Quill Terrace (long-term care)";
- *a facility's answer*: a name opening its phrase that accepted, declined or is reviewing
  the patient, or whose admissions office was called ("ltac screening, wexcombe accepted pt for
  bed 12/12", "Spoke w/ Tallis admissions"), and a second name or a saint's joined to it
  ("rehab: fernby and st. ode's both reviewing");
- *a choice between two*: after a screening or a referral, two names with "vs" or "or" between them,
  the first maybe with its head ("screening for thistlewood rehab vs orland cove");
- *its front door or bed office*: a name or its letters before the emergency department after
  "via", or before its bed board, admissions or transfer centre ("readmitted via hbh ew",
  "PKM BED BOARD NOTIFIED", "d/w rcmc transfer ctr");
- *a clinician's practice*: a name and "health" after "at" behind a doctor ("dr quist at
  tamberly health");
- *a dialysis unit*: a name after dialysis and its days ("esrd on hd mwf at larchmont (chair 4)",
  "resume HD at Larchmont Thurs 12/3"), with the head if it has one;
- *where the patient is seen now*: a name closing the phrase after "goes to" or "went to" ("NOW
  GOES TO HAZELBROOK VALE."), where the name is no town or place.

No word of the name may be a word a sentence is made of, a unit or service, a word that
describes a facility or a facility's head, and one of its words is no shorthand: "transferred from ICU", "back to
baseline", "dispo: home with VNA", "film from today", "MRI from 12/3", "PT and OT reviewing".
Letters standing for a facility are two to five, in one case, and spell no word, clinical
abbreviation, unit or state ("via OSH ED", "ICU admissions" name nothing).
A single name that the name lists hold as a given name is a person ("Maria accepted pt"), and
a name after a title is a person too ("Dr. Quist accepted").
"""

from __future__ import annotations

import regex as re

from .facilities import _known_place, _sentence_word
from .facility_heads import _heads, _is_generic
from .names.lexicons import fold, load_lexicons
from .shorthand import shorthand_word
from .shorthand_places import _unit
from .vocabulary import COMMON_HONORIFICS

Place = tuple[str, int, int, float]
SCORE = 0.86  # as shorthand_places.SCORE: the cue vouches for it

_WORD = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]+)?"
_NAME = rf"({_WORD}(?:[ \t]+{_WORD}){{0,2}}?)"
_SAINT = re.compile(r"(?i)(?:st|saint)\.?[ \t]+")  # "st. kilian's": a saint's name is a hospital's
_DATE = r"\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/])"
_UNIT_AFTER = r"(?:icu|micu|sicu|ccu|cvicu|er|ed|ew|cath[ \t]*lab|floor|pacu)\b"
# what came from a place: "OSH FILM FROM", "outside MRI from", "MRN FROM", "records from"
_RECORDS = re.compile(rf"(?i)\b(?:films?|images?|imaging|mri|cta?|x-?rays?|cxr|ultrasound|echo|study|studies|records|"
                      rf"reports?|slides|path(?:ology)?|mrn|labs|cultures?|cx)[ \t]+from[ \t]+{_NAME}"
                      rf"(?=[ \t]*(?:\(|\d|(?:dated|dtd|of|on)\b))")
# a month and year past ("in 5/09"): "at X on 12/3" also reads a misspelt word of care
_PROCEDURE_AT = re.compile(rf"(?i)\b(?:at|@)[ \t]+{_NAME}[ \t]+in[ \t]+\d{{1,2}}/(?:\d{{2}}|\d{{4}})(?![\d/])")
_MOVE = (r"(?:transferred|transfered|transfer|xferred|xfer|trans|admitted|readmitted|discharged|d/?c'?d|sent|"
         r"accepted)(?:[ \t]+(?:back|over|here|pt|him|her))?[ \t]+(?:to|from|at)[ \t]+")
# "TRANSFERRED BACK TO QUENBY WHERE HIS PULMONOLOGIST IS": before a date, a unit or "where"
_MOVED = re.compile(rf"(?i)\b{_MOVE}{_NAME}(?=[ \t]+(?:{_DATE}|{_UNIT_AFTER}|where\b))")
_MOVED_HYPHENATED = re.compile(rf"(?i)\b{_MOVE}([A-Za-z]{{3,}}-[A-Za-z]{{3,}})(?=[ \t]*(?:$|[\n.,;:]|\w+[ \t]+to[ \t]+home\b))")
_DISPO = re.compile(rf"(?im)^[ \t]*dispo(?:sition)?[ \t]*:[ \t]*{_NAME}(?=[ \t]*(?:$|[,;.(]))")
_ANSWERED = re.compile(rf"(?i)(?:^|(?<=[\n,;:.(]))[ \t]*{_NAME}(?:[ \t]+(?:and|&)[ \t]+((?:st|saint)\.?[ \t]+{_WORD}|{_WORD}))?"
                       rf"[ \t]+(?:(?:both|has|have)[ \t]+)?(?:accepted|declined|denied|reviewing|admissions)\b"
                       r"(?=[ \t]*(?:$|[\n.,;:(]|(?:pt|patient|him|her|for|referral|called|liaison|coordinator)\b))")
# a name and, in brackets, the kind of facility it is: "from lotus row (assisted living in ...)"
_DESCRIBED = re.compile(rf"(?i)(?:\b(?:from|at|to|in)|[:,])[ \t]+(?:the[ \t]+)?{_NAME}[ \t]*\((?:an?[ \t]+)?"
                        r"(?:assisted[ \t]+living|nursing[ \t]+(?:home|facility)|skilled[ \t]+nursing|snf|ltach?|"
                        r"long[- ]term[ \t]+(?:care|acute)|ltc|memory[ \t]+care|group[ \t]+home|rest[ \t]+home|"
                        r"adult[ \t]+family[ \t]+home|rehab(?:ilitation)?|dialysis|hospice)\b")
# two names to choose between: "screening for thistlewood rehab vs orland cove"
_CHOICE_HEAD = r"((?:[ \t]+(?:rehab|rehabilitation|snf|ltach?|nursing[ \t]+(?:home|center|facility)|acute[ \t]+rehab))?)"
_CHOICE = re.compile(rf"(?i)\b(?:screening|screened|referrals?|referred|applications?|applied|bed[ \t]+search)[ \t]+"
                     rf"(?:for|to|at|with|by)[ \t]+{_NAME}{_CHOICE_HEAD}[ \t]+(?:vs\.?|versus|or)[ \t]+{_NAME}{_CHOICE_HEAD}"
                     r"(?=[ \t]*(?:$|[\n.,;:(]))")
_LETTERS = r"[A-Z]{2,5}|[a-z]{3,5}"
# "readmitted via hbh ew", "via tillmore er": the emergency department of a facility
_VIA = re.compile(rf"(?i)\bvia[ \t]+(?-i:({_LETTERS})|{_NAME})(?=[ \t]+(?:ed|ew|er)\b)")
# "PKM BED BOARD NOTIFIED", "d/w rcmc transfer ctr", "spoke w/ hbh admissions"
_BED_OFFICE = re.compile(rf"(?<![\w'’/-])({_LETTERS})[ \t]+(?i:bed[ \t]+board|admissions|admitting|transfer[ \t]+(?:center|ctr|line))\b")
# "dr quist at tamberly health": a doctor's practice
_CLINICIAN_AT = re.compile(rf"(?i)\b(?:dr|doctor)\.?[ \t]+{_WORD}(?:[ \t]+{_WORD})?[ \t]+(?:at|@)[ \t]+"
                           rf"({_WORD}(?:[ \t]+{_WORD})?[ \t]+health)\b(?![ \t]+{_WORD})")
# "esrd on hd mwf at larchmont (chair 4)", "HD TTS at Larchmont Dialysis presented with ..."
_DAYS = r"(?:mwf|tts|tths|tth|t/th/s|m/w/f|t/th/sat|mon/wed/fri|tue/thu/sat)"
_DIALYSIS = re.compile(rf"(?i)\b(?:hd|dialysis|hemodialysis|dialy[sz]es|dialy[sz]ed)(?:[ \t]+{_DAYS})?[ \t]+(?:at|@)[ \t]+"
                       rf"{_NAME}((?:[ \t]+(?:dialysis|kidney[ \t]+center))?)(?=[ \t]*(?:$|[\n.,;:(]|\d|(?:on|in|since|until|"
                       r"for|with|and|presented|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b))")
# "NOW GOES TO HAZELBROOK VALE.": where the patient is seen now, where the phrase ends
_GOES_TO = re.compile(rf"(?i)\b(?:goes|went)[ \t]+to[ \t]+{_NAME}(?=[ \t]*(?:$|[\n.,;]))")
_HONORIFIC = re.compile(rf"(?i)\b(?:{'|'.join(COMMON_HONORIFICS)})\.?[ \t]+$")


def _a_name(words: list[str]) -> bool:
    """No word of a sentence, unit, generic word or head; a word of four letters that is no
    shorthand (no English word a name list lacks: "GARNET HOLLOW", not "hollow")."""
    return any(len(w) >= 4 and not shorthand_word(w) for w in words) and not any(
        _sentence_word(w) or _unit(w) or _is_generic(w) or _heads()[0].fullmatch(w) for w in words)


def cued_facilities(text: str) -> list[Place]:
    """(entity type, start, end, score) of each facility named bare behind a cue (module docstring)."""
    out = []
    for pattern in (_RECORDS, _PROCEDURE_AT, _MOVED, _MOVED_HYPHENATED, _DISPO, _ANSWERED, _DESCRIBED):
        for m in pattern.finditer(text):
            names = [1, 2] if pattern is _ANSWERED and m.group(2) else [1]  # "fernby and st. ode's both reviewing"
            if all(_named(text, m.start(g), m.end(g)) for g in names):
                out += [("HEALTHCARE_FACILITY", m.start(g), m.end(g), SCORE) for g in names]
    for m in _CHOICE.finditer(text):  # each name with its head: "thistlewood rehab", "orland cove"
        if _named(text, m.start(1), m.end(1)) and _named(text, m.start(3), m.end(3)):
            out += [("HEALTHCARE_FACILITY", m.start(1), m.end(2), SCORE), ("HEALTHCARE_FACILITY", m.start(3), m.end(4), SCORE)]
    for m in _VIA.finditer(text):
        g = 1 if m.group(1) else 2
        if _letters(m.group(1)) if m.group(1) else _named(text, m.start(2), m.end(2)):
            out.append(("HEALTHCARE_FACILITY", m.start(g), m.end(g), SCORE))
    out += [("HEALTHCARE_FACILITY", m.start(1), m.end(1), SCORE) for m in _BED_OFFICE.finditer(text) if _letters(m.group(1))]
    out += [("HEALTHCARE_FACILITY", m.start(1), m.end(2), SCORE) for m in _DIALYSIS.finditer(text)
            if _named(text, m.start(1), m.end(1))]
    out += [("HEALTHCARE_FACILITY", m.start(1), m.end(1), SCORE) for m in _GOES_TO.finditer(text)
            if _named(text, m.start(1), m.end(1)) and not _known_place(m.group(1))]
    for m in _CLINICIAN_AT.finditer(text):
        if _a_name(m.group(1).split()[:-1]):  # a head follows: no given name alone ("dr quist at tamberly health")
            out.append(("HEALTHCARE_FACILITY", m.start(1), m.end(1), SCORE))
    return out


def _letters(word: str) -> bool:
    """A facility's letters: no word (a name's too: "PRIOR"), clinical abbreviation, unit, generic word or
    state ("OSH", "ICU")."""
    return not (shorthand_word(word) or fold(word) in load_lexicons().dictionary or _unit(word) or _is_generic(word))


def _named(text: str, start: int, end: int) -> bool:
    """A name, not a person's: no title before it, and no given name alone ("maria accepted pt")."""
    saint = _SAINT.match(text, start, end)
    words = text[saint.end() if saint else start : end].split()
    if not _a_name(words) and not (saint and len(words) == 1) or _HONORIFIC.search(text, max(0, start - 6), start):
        return False
    return saint is not None or len(words) > 1 or fold(words[0]) not in load_lexicons().first
