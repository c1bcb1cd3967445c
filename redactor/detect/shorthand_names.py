"""People and places that nursing shorthand names by context alone, in any case.

In a note written in capitals or in lower case there is no capital letter to tell a
name, and many clinicians' and relatives' names are also words.  What tells them is
the context a reader uses (``ShorthandNameRecognizer``):

- *a title*: "DR LINDQVIST", "Drs Okafor and Brandt", "dr. ferris", "MRS HALVORSEN", a cleric's
  "rev. thistlewood", "PASTOR OYELEKE", "PRIEST,FR QUILTY"; after "DR" also a surname that is a word ("DR BARKER",
  "dr small"), not what a sentence does next ("DR AWARE", "DR WILL CALL"); a given name that is a
  word before a surname ("dr. ed halloran");
- *an initial and a surname before an action or after "per"/"by"*: "R. OKAFOR AWARE",
  "AS PER T. NAKASHIMA", "seen by m. ferris np", "J WOJCIK ORDERED";
- *a credential after a name*: "Ana Ruiz RRT", "lena petrakis, rn", "P. DUVAL NP", "H.J. TREMAINE RN", "ROSE M RN";
  a surname that is a word too after the note's last sentence (". CARDINAL RN");
- *a role before a name*: "HO DRUMMOND AWARE", "house staff elena drummond", "resident okafor",
  "CHARGE RN QUORRA", "nursing supervisor philippa", "report called to ermengarde", "medic Quillan",
  "RT JOAQUIM AT BEDSIDE", "CM FAY HOLLOWAY", "UNIT MGR PHILOMENA";
- *a given name after whom to ask for, who did a procedure or came from a service*: "(ask for Mavis)",
  "SHEATH PULLED @0615 BY HANK", "with ned from pt";
- *a relation word before a given name*: "DAUGHTER-MAYA", "wife helen", "daughters
  rosa and ines", "CAREGIVER, BARBARA"; "spoke with tomasz", "SPOKE W/ INGEBORG";
- *a signature*: a given name alone on the last line of a note; initials with a credential
  ("b.k. rn / w.o. rn", "... UPDATED. T.Q. RN"), ending a note ("... since 2/3. -jq", "...\nc.o.") or a dictation
  ("DICTATED BY: QX", "d: 3/2/26 14:05  qz/vj");
- *admission and transfer cues before a place*: "ADMITTED TO SJH", "transferred from
  Whitmore 4", "sent to kelso hosp" (found in ``shorthand_places.py``).

Each name word must not be clinical shorthand or a frequent word (``shorthand.py``),
and a bare word needs a name list to hold it.
"""

from __future__ import annotations

from typing import List

import regex as re
from presidio_analyzer import RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from .clinical import _ABBREVIATIONS, _clinical_vocabulary, _lexicons
from .names.lexicons import fold, load_lexicons
from .vocabulary import DOCTOR_FORMS, RELATIVES, alternation
from .pii import _CodeRecognizer, make_result
from .shorthand import CUE_RECOGNIZER, _shorthand_terms
from .facility_cues import cued_facilities
from .shorthand_places import _known, _name_word, _unlisted, _unlisted_word, shorthand_places

_W = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]+)?"
# Clerics by title: "rev. thistlewood", "PASTOR OYELEKE", "fr. bartek" (with its stop: "14 FR FOLEY" is a catheter,
# "FR OSH" is "from"), after a word for a priest without it: "ASKING FOR PRIEST,FR QUILTY", "chaplain, fr bartek"
_CLERIC = r"(?<!\d[ \t])(?<!\d)(?:rev|reverend|pastor|fr(?=\.)|(?<=(?:priest|chaplain)[ \t,:;(-]{1,3})fr\b)"
_TITLE = re.compile(rf"(?i)\b(?:{_CLERIC}\.?[ \t]+)?(?:{alternation(DOCTOR_FORMS + ('mr', 'mrs', 'ms', 'miss'))}|{_CLERIC})(?:(?<=drs)['’]|\b)\.?[ \t]*(?:([a-z])\.?[ \t]+)?({_W})"
                    rf"(?:[ \t]*(?:and|&|/)[ \t]*(?:drs?\.?[ \t]+)?({_W}))?")
# The word after a title's first word: a surname after a given name that is also a word ("dr. ed halloran").
_NEXT_WORD = re.compile(rf"[ \t]+({_W})\b")
_ACTION = (r"(?:aware|notified|informed|updated|paged|called|in|at|to|here|present|ordered|orders|placed|"
           r"pulled|removed|inserted|changed|spoke|speaking|talked|saw|seen|evaluated|examined|wants|wanted|"
           r"agreed|agrees|decided|said|stated|recommended|requested|following|pronounced|came|discussed|"
           r"reviewed|consulted|bronched|placing|doing|contacted|made|will|also|and|md|np|pa|rn|rrt|crt|states|reports|"
           r"asks|asking|requests|denies|endorses|arrived|arrives)")
CREDENTIAL = r"(?:(?:m\.?s\.?|m\.?a\.?),?[ \t]+ccc-slp|rn|rrt|crt|np|pa|pa-c|md|lpn|licsw|licws|lcsw|msw|cna|pt|ot|slp|ccc-slp|rd|pharmd|cnm|crna|mht|mft|otr/l|otr|cota|pmhnp(?:-bc)?|emt(?:-[bpi])?|aemt|nrp|ccp|flight[ \t]+rn)"
_INITIAL = re.compile(rf"(?i)(?:(?<![\w.'’/])|(?<=\p{{L}}{{2}}\.))([a-z])\.[ \t]?({_W})(?=[ \t,:;.)-]*(?:{_ACTION}|{CREDENTIAL})?\b)")
_INITIAL_CUE_BEFORE = re.compile(r"(?i)\b(?:per|by|with|w/|to|from|called|paged|notified|informed|spoke\s+(?:with|to)|"
                                 r"talked\s+(?:with|to)|and|\(|"
                                 # a role before the name: "NP L. COSTA", "case mgr p. riordan", "DICTATED: J. ..."
                                 r"np|rn|md|pa|pa-c|rrt|sw|fellow|resident|attending|intern|hospitalist|mgr|manager|"
                                 r"coordinator|dictated|signed|author)[ \t:]*$")
_INITIAL_BARE = re.compile(rf"(?<![\w.'’/])([A-Z])[ \t]({_W})(?=[ \t]+{_ACTION.upper()}\b)")
# "CM" and "RT" (case manager, respiratory therapist) not right after a number: "2.5 CM", "X2 RT"; after a sentence's
# stop they are a role again: "... BED 3/14.CM ODILE TO CALL", "RT MARISOL AT BEDSIDE"
_NOT_AFTER_NUMBER = r"(?<!\d[ \t]?)"
# a role before a surname: "HO DRUMMOND AWARE", "house staff elena drummond", "resident okafor",
# "his case manager (odile)", "transplant coordinator wei-lin zhao", "Interpreter: Farida Haidari", "RT JOAQUIM AT BEDSIDE"
_ROLE = re.compile(rf"(?i)\b(?:ho|h\.o\.|house[ \t]+(?:officer|staff)|resident|fellow|attending|intern|hospitalist|"
                   rf"(?:case|house|unit|nurse)[ \t]*(?:manager|mgr)|(?:case|outreach|social)[ \t]*worker|np|pa-c|sw|{_NOT_AFTER_NUMBER}(?:cm|rt)|coordinator|"
                   rf"sonographer|technologist|cytotech(?:nologist)?|chaplain|interpreter|pharmacist|dietitian|educator|"
                   rf"facilitator|observer|sitter|charge|operator|caller|client|res|officer|tech|peer|medic|paramedic|crew|supervisor|"
                   rf"report[ \t]+(?:(?:to[ \t]+be|was)[ \t]+)?(?:called|given)[ \t]+to)"
                   rf"[ \t:,(-]+(?!(?:{_CLERIC}|{alternation(DOCTOR_FORMS)}|mrs?|ms)\b)({_W})(?:[ \t]+({_W}))?"
                   # a credential only with a space: "RN WELLS", "md ostrowski"; not "MD, FACS" or "MD (PGY-3)"
                   rf"|\b(?:rn|lpn|md|nnp|cnm)[ \t]+({_W})(?:[ \t]+({_W}))?")  # not "OB": occult blood too
# A census or sign-out line names each patient by room or bed ("RM 206 ABDI - SI, Q15", "bed 7 - hollis, amari"),
# a newborn by "baby boy" or twin ("baby girl wojcik", "TWIN B OSEI"), a child by the age that follows
# ("siblings: aiden 5 yo and lily 3 yo", "calling for aubrey, 14 mo")
_BABY = r"(?:(?:baby|infant)[ \t]+(?:boy|girl)|twin[ \t]+[ab12])"
_ROOM_OR_BABY = re.compile(rf"(?i)\b(?:(?:rm|room|bed)[ \t]*#?[ \t]*\d{{1,4}}[a-z]?[ \t]*[-:]?(?:[ \t]+{_BABY})?|{_BABY})[ \t]+({_W})")
_AGE_AFTER = re.compile(rf"(?i)(?<![\w'’.-])({_W}),?[ \t]+\d{{1,2}}[ \t]*(?:yo|y/o|y\.o\.|mo|mos|months?[ \t]+old|wk|wks|weeks?[ \t]+old|"
                        rf"yr|yrs|years?[ \t]+old)\b")
# "KEEP OYELARAN FAMILY AWARE": a surname before "family"; "social: tom visited": a given name opening the social line;
# "ASKING FOR JUNE (HIS DAUGHTER)": a name that a relation in brackets explains
_FAMILY_OR_SOCIAL = re.compile(rf"(?i)\b({_W})[ \t]+family\b|\bsocial[ \t]*(?:hx|history)?[ \t]*[:-][ \t]*({_W})\b|"
                               rf"\b({_W})[ \t]*\((?:his|her|their|pt['’]?s)?[ \t]*{alternation(RELATIVES)}\)")
# a given name in lower case after "with", "visited", "ex", "staff" or "this is", or with "'s": "session with dana",
# "at teresa's request", "staff marisa gave report", '"this is janelle from the ambulance"'
_LOWER_GIVEN = re.compile(r"\b(?:with|w/|visited|ex|staff|this[ \t]+is)[ \t]+([a-z][a-z'’-]{2,})\b|\b([a-z][a-z-]{2,})['’]s\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:][ \t]*|\n[ \t]*)$")  # "Encouarge family to ...": a verb typed wrong
# what may follow a signature's credential: a clock time, a phone number or a full date ("ANSELM RN 1900",
# "ODILE RN 617-555-0144", "rn 3/4/26 0640"), not a reading ("SWAN NUMBERS PA 60/30")
_CLOCK_PHONE_OR_DATE = r"(?:[0-2]\d[0-5]\d\b(?![/:]|\.\d)|\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}\b|\d{1,2}/\d{1,2}/\d{2,4}\b)"
# an initial may follow a run-on sentence's full stop: "WILL ATTEMPT SBT IN AM.D. MENSAH RRT"; two initials: "H.J. TREMAINE RN"
_SIGNED = re.compile(rf"(?i)(?:(?:(?<![\w.'’])|(?<=\p{{L}}{{2}}\.))([a-z](?:\.[a-z])?)\.?[ \t]+|\b({_W})[ \t]+)?({_W})(?:,[ \t]*|[ \t]+){CREDENTIAL}\b\.?"
                     rf"(?=[ \t]*(?:$|\n|/|[,;.]|[ \t]+(?:aware|notified|in|at|to)\b|[ \t]+{_CLOCK_PHONE_OR_DATE}))", re.MULTILINE)
# the end of a note after a signature's credential: "... ABG PENDING. TREMAINE RN", "rn 0700"
_SIGNS_OFF = re.compile(rf"[ \t]*(?:{_CLOCK_PHONE_OR_DATE})?[ \t.]*\Z")
# a nickname: "(goes by "JJ")", "aka wally", "prefers to be called Bea" ("known as" names drugs too)
# ("wants to be called" only with a given name or a name in quotes: 'asks to be called "Tuck"', not "... called back")
_NICKNAME = re.compile(
    r"(?i)\b(?:goes[ \t]+by|nick-?(?:name[ \t]+is|named?)|a\.?k\.?a\.?|prefers[ \t]+to[ \t]+be[ \t]+called|"
    r"(?P<asks>(?:requests|wants|likes|asks)[ \t]+to[ \t]+be[ \t]+called)|"
    r"calls[ \t]+(?:him|her|them)sel(?:f|ves))[ \t:]+[\"“'‘]?(?P<name>[\p{L}][\p{L}\p{M}'’.-]*[\p{L}])"
)
# A given name after whom to ask for, who did a procedure or who came from a service: "(ask for Dottie)",
# "R RADIAL TR BAND OFF @0830 BY HANK", "walked in hall with tobias from pt", "paced by lorna from ep"
_ASK_FOR_OR_DONE_BY = re.compile(rf"(?i)\bask[ \t]+for[ \t]+({_W})\b|\b(?:pulled|removed|placed|inserted|changed|drawn|done|"
                                 rf"performed|discontinued|d/?c['’]?d|off)(?:[ \t]+@?[ \t]*\d{{3,4}})?[ \t]+by[ \t]+({_W})\b|"
                                 rf"\b(?:by|with|w/)[ \t]+({_W})[ \t]+from[ \t]+(?:the[ \t]+)?[a-z]")
# A surname alone that opens a clause before "aware" or "paged": "BP 80S,OKONJO AWARE", "okonjo paged"
_AWARE_ALONE = re.compile(r"(?i)(?:^|(?<=[\n,;:.(]))[ \t]*([a-z][a-z'’-]+)[ \t]+"
                          r"(?:aware|notified|paged|updated|informed|made[ \t]+aware)\b")
# A name, then who they are in brackets: "SHEATH PULLED BY TAVARES (FELLOW)"
_ROLE_IN_BRACKETS = re.compile(rf"(?i)\b({_W})[ \t]*\((?:fellow|resident|attending|intern|hospitalist|np|pa|pa-c|rn|md|rrt|"
                               r"sw|cm|case[ \t]+manager|social[ \t]+worker|chaplain|interpreter|pharmacist|charge(?:[ \t]+rn)?)\)")
# A name behind its label: "NAME: ODALYS QUENTARA   MRN: ...", "PATIENT NAME: reyes, amparo", "ACTUAL NAME TOMAS IRIGOYEN"
_NAME_LABEL = re.compile(r"(?im)(?:(?:^|[ \t]{2,}|\|)[ \t]*(?:(?:patient|pt)[ \t]+)?name[ \t]*:|"
                         r"\b(?:legal|actual|real|true|full|preferred|maiden|birth)[ \t]+name(?:[ \t]*(?::|is|was))?)[ \t]*")
_NAME_PART = re.compile(rf"({_W})(?:,[ \t]*|[ \t])?")
_PARTICLES = frozenset("van von der de den del della di da la le ter ten bin ibn al el st".split())


def _labelled_name(text: str) -> list[tuple[int, int]]:
    """The words of a name behind its label, up to the first that is no name (a clinical word, the next label)."""
    out = []
    for m in _NAME_LABEL.finditer(text):
        pos, end, names = m.end(), None, 0
        while w := _NAME_PART.match(text, pos):  # a name part never runs past the line
            word = w.group(1)
            if fold(word) in _PARTICLES:  # "ter horst, wendeline"
                pos = w.end()
                continue
            if not (_known(word) or _name_word(word) and _unlisted_word(word)) or re.fullmatch(CREDENTIAL, word, re.IGNORECASE):
                break
            names, end, pos = names + 1, w.end(1), w.end()
            if names == 4 or w.end() == w.end(1):  # no space or comma after it: the name ends
                break
        if end:
            out.append((m.end(), end))
    return out


_KIN_CUE = (rf"(?:{alternation(RELATIVES)}s?(?:[ -]?in[ -]?laws?)?|step[ -](?:daughter|son)|proxy|hcp|spoke[ \t]+(?:with|to)|"
            r"talked[ \t]+(?:with|to)|spoke[ \t]+w/[ \t]*)")  # "son-in-law chet", "SPOKE W/ INGEBORG"
# "WIFE ZOFIA AND DTR KASIA": the second relation starts a match of its own
_KIN = re.compile(
    rf"(?i)\b{_KIN_CUE}\b[ \t]*[,:(\"'-]?[ \t]*[\"“]?({_W})(?:[ \t]*(?:and|&|,)[ \t]*(?!{_KIN_CUE}\b)({_W}))?"
)
_KIN_WORD = re.compile(r"(?:wife|husband|spouse|sons?|daughters?|sisters?|brothers?|mother|father|mom|dad|niece|nephew|"
                       r"aunt|uncle|partner|friend|cousin|family|proxy)")



_NOT_AFTER_DOCTOR = re.compile(rf"(?i){_ACTION}|the|a|an|of|for|with|by|on|or|was|is|may|can|office|orders?|note|team|service|"
                               r"daily|today|tonight|tomorrow|now|again|shift|first|later|soon|prn|pgy\d?")  # "rehab rn daily"


def _abbreviation_in_cased_line(text: str, start: int, word: str) -> bool:
    """A short word in capitals on a line that has lower-case words is an abbreviation ("NICU bed 14 PMA 33 wk")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return word.isupper() and len(word) <= 4 and re.search(r"\b[a-z]{3,}\b", line) is not None


def _unambiguous(word: str) -> bool:
    """A given name of four letters or more that is no frequent word, no eponym, no English word name lists hold
    too ("will", "grace") and no frequent word cut short ("met with famil")."""
    lex, key = load_lexicons(), fold(word)
    return len(key) >= 4 and key not in lex.common and key not in lex.ambiguous and key not in _clinical_vocabulary() \
        and key not in _lexicons().eponyms and not any(w.startswith(key) for w in lex.common)  # not "s/p hartmann's"


def _family_or_social_name(text: str, m: re.Match[str]) -> int | None:
    """The group of ``_FAMILY_OR_SOCIAL`` that names a person: a surname no dictionary holds before
    "family", not opening a sentence ("foster family", "Encouarge family"); a given name opening the
    social line; a name or a given name before a relation in brackets."""
    surname, social, explained = m.group(1), m.group(2), m.group(3)
    if surname:
        ok = _role_name(surname) and fold(surname) not in load_lexicons().dictionary \
            and not _SENTENCE_START.search(text, max(0, m.start() - 3), m.start())
    elif social:
        ok = _given(social) and _name_word(social)
    else:
        ok = fold(explained) not in STOP_WORDS and (_given(explained) or _role_name(explained))
    return (1 if surname else 2 if social else 3) if ok else None


def _quoted(text: str, start: int, end: int) -> bool:
    return start > 0 and text[start - 1] in "\"“" and text.startswith(("\"", "”"), end)


def _surname_after_doctor(word: str) -> bool:
    """After "DR", a surname that is also a word ("DR BARKER", "dr small", "dr. noone"):
    any word a name list holds, unless clinical or what a sentence does next ("DR AWARE")."""
    key = fold(word)
    return load_lexicons().is_name(key) and not _NOT_AFTER_DOCTOR.fullmatch(key) and key not in _shorthand_terms() \
        and key not in _clinical_vocabulary() and word.upper() not in _ABBREVIATIONS


def _eponym_after_doctor(word: str) -> bool:
    """After "DR", a surname that names a device or sign too ("DR FOLEY", "dr. swan"), not a frequent word."""
    lex, key = load_lexicons(), fold(word)
    return key in lex.last and key not in lex.common and key not in STOP_WORDS and not _NOT_AFTER_DOCTOR.fullmatch(key) \
        and word.upper() not in _ABBREVIATIONS


def _role_name(word: str) -> bool:
    """After a role, a name: no shorthand or frequent word, and a name list holds it or no
    dictionary does ("HO DRUMMOND", not "HO AWARE" or "RESIDENT PAGED"); or a surname that
    is only a frequent word for being a frequent name ("HO MCBRIDE", not "HO WELL")."""
    if _name_word(word) and not _NOT_AFTER_DOCTOR.fullmatch(word) \
            and (_known(word) or fold(word) not in load_lexicons().dictionary):
        return True
    lex, key = load_lexicons(), fold(word)
    return key in lex.last and key not in lex.ambiguous and key not in lex.common and _surname_after_doctor(word)


def _surname(word: str) -> bool:
    """A surname list holds it, clinical word or not: after a given name and before a credential,
    "TOM FOLEY RRT" and "ann swan rn" sign a note."""
    key = fold(word)
    return key in load_lexicons().last and key not in STOP_WORDS and word.upper() not in _ABBREVIATIONS


def _surname_end(text: str, end: int) -> int | None:
    """Where the surname right after a given name ends, if the next word is one ("dr. ed halloran")."""
    surname = _NEXT_WORD.match(text, end)
    return surname.end(1) if surname and _role_name(surname.group(1)) else None


def _given_before_surname(word: str) -> bool:
    """A given name before a surname and a credential, also one that is a word when it is capitalised as a name
    ("Will Oyelaran, PA-C", not "WILL OYELARAN" or "will")."""
    return _given(word) or word.istitle() and fold(word) in load_lexicons().first


def _given(word: str) -> bool:
    key = fold(word)
    return key in load_lexicons().first and key not in STOP_WORDS and key not in _shorthand_terms() \
        and word.upper() not in _ABBREVIATIONS and not _KIN_WORD.fullmatch(key)


class ShorthandNameRecognizer(_CodeRecognizer):
    """People and places named by context in shorthand (see module docstring)."""

    ENTITY = "PERSON"

    def __init__(self) -> None:
        super().__init__()
        self.name = CUE_RECOGNIZER
        self.supported_entities = ["PERSON", "LOCATION"]

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        found: list[tuple[str, int, int, float]] = []
        person = lambda m, g, score: found.append(("PERSON", m.start(g), m.end(g), score))  # noqa: E731
        for m in _TITLE.finditer(text):
            doctor = m.group().lower().startswith(("dr", "doc"))
            for g in (2, 3):
                word = m.group(g)
                if word and not re.fullmatch(CREDENTIAL, word, re.IGNORECASE) and (_name_word(word) or _known(word) and (doctor or fold(word) not in load_lexicons().dictionary)
                             or doctor and (_surname_after_doctor(word) or _eponym_after_doctor(word))):
                    person(m, g, 0.75)
            if m.group(1) and m.group(2) and _name_word(m.group(2)):
                found.append(("PERSON", m.start(1), m.end(2), 0.75))
            if not m.group(1) and fold(m.group(2)) in load_lexicons().first and (end := _surname_end(text, m.end(2))):
                found.append(("PERSON", m.start(2), end, 0.75))
        for m in _INITIAL.finditer(text):
            after = text[m.end() : m.end() + 30]
            cue = _INITIAL_CUE_BEFORE.search(text, max(0, m.start() - 25), m.start()) or re.match(
                rf"(?i)[ \t,:;.)-]*(?:{_ACTION}|{CREDENTIAL})\b", after)
            if cue and (_name_word(m.group(2)) or _known(m.group(2))):
                found.append(("PERSON", m.start(1), m.end(2), 0.7))
        for m in _ROLE.finditer(text, overlapped=True):  # "REPORT CALLED TO CHARGE RN X": each cue in turn
            first, second = (1, 2) if m.group(1) else (3, 4)
            if m.group(second) and re.fullmatch(CREDENTIAL, m.group(first), re.IGNORECASE):
                first, second = second, None  # "CHARGE RN QUORRA": the credential, then the name
            if _role_name(m.group(first)) and not _abbreviation_in_cased_line(text, m.start(first), m.group(first)):
                end = m.end(second) if second and m.group(second) and _role_name(m.group(second)) else m.end(first)
                found.append(("PERSON", m.start(first), end, 0.65))
        for m in _ROOM_OR_BABY.finditer(text):
            if _role_name(m.group(1)) and not _abbreviation_in_cased_line(text, m.start(1), m.group(1)):
                person(m, 1, 0.65)
        for m in _FAMILY_OR_SOCIAL.finditer(text):
            if (g := _family_or_social_name(text, m)) is not None:
                person(m, g, 0.65)
        for m in _LOWER_GIVEN.finditer(text):
            g = 1 if m.group(1) else 2
            if _given(m.group(g)) and _name_word(m.group(g)) and _unambiguous(m.group(g)):
                person(m, g, 0.6)
        for m in _AGE_AFTER.finditer(text):
            if _given(m.group(1)) and _name_word(m.group(1)):
                person(m, 1, 0.65)
        for m in _INITIAL_BARE.finditer(text):
            if _known(m.group(2)) and _name_word(m.group(2)):
                found.append(("PERSON", m.start(1), m.end(2), 0.65))
        for m in _SIGNED.finditer(text):
            first, last = m.group(1) or m.group(2), m.group(3)
            # an initial or a given name, and a credential after: "B. FOLEY RN", "TOM FOLEY RRT"
            initial = m.group(1) and text.startswith(".", m.end(1))  # "A FOLEY RN AWARE" has an article
            if _name_word(last) or (initial or m.group(2) and _given_before_surname(m.group(2))) and (_known(last) or _surname(last)):
                start = m.start(1) if m.group(1) else m.start(2) if m.group(2) and _given_before_surname(m.group(2)) else m.start(3)
                found.append(("PERSON", start, m.end(3), 0.7))
            elif m.group(2) and _given(m.group(2)) and len(last) == 1 and fold(last) not in STOP_WORDS:
                found.append(("PERSON", m.start(2), m.end(3), 0.7))  # a given name and an initial: "ROSE M RN"
            elif first is None and (_given(last) or _known(last) and _SIGNS_OFF.match(text, m.end())
                                    and _SENTENCE_START.search(text, max(0, m.start() - 3), m.start())):
                person(m, 3, 0.65)  # a surname that is a word too, signing a note after its last sentence: ". TREMAINE RN"
        for m in _NICKNAME.finditer(text):
            name = m.group("name")
            if fold(name) not in STOP_WORDS and name.upper() not in _ABBREVIATIONS \
                    and (not m.group("asks") or _given(name) and _unambiguous(name) or text[m.start("name") - 1] in "\"“'‘"):
                person(m, "name", 0.65)
        for m in _ASK_FOR_OR_DONE_BY.finditer(text):
            g = next(g for g in (1, 2, 3) if m.group(g))
            if _given(m.group(g)) and _name_word(m.group(g)) and len(m.group(g)) > 2:
                person(m, g, 0.65)
        for m in _KIN.finditer(text):
            for g in (1, 2):  # a word in quotes is what a relative goes by: 'GIRLFRIEND "JUJU" CALLED'
                if m.group(g) and (_given(m.group(g)) or _quoted(text, m.start(g), m.end(g)) or _unlisted(m.group(g))):
                    # with the surname after a given name: "PARENTS CODY AND MARISSA KOVACH CONSENTED"
                    end = _given(m.group(g)) and _surname_end(text, m.end(g)) or m.end(g)
                    found.append(("PERSON", m.start(g), end, 0.65))
        for m in _AWARE_ALONE.finditer(text):
            if _known(m.group(1)) and fold(m.group(1)) not in load_lexicons().dictionary:
                person(m, 1, 0.65)
        for m in _ROLE_IN_BRACKETS.finditer(text):
            if _role_name(m.group(1)) and not _abbreviation_in_cased_line(text, m.start(1), m.group(1)):
                person(m, 1, 0.65)
        found += [("PERSON", start, end, 0.7) for start, end in _labelled_name(text)]
        found += shorthand_places(text) + cued_facilities(text)
        found += [("PERSON", *sig, 0.6) for sig in _signature(text)]
        found += [("PERSON", m.start(1), m.end(1), 0.6) for m in _DICTATION.finditer(text) if _initials(m.group(1), signed=True)]
        for m in _INITIALS_SIGNED.finditer(text):
            person(m, 1, 0.6)
        if (m := _INITIALS_ENDING.search(text.rstrip())) and ("." in m.group(1) or _initials(m.group(1), signed=True)):
            person(m, 1, 0.6)
        return [make_result(self, e, s, t, score) for e, s, t, score in found if not entities or e in entities]


_LAST_LINE = re.compile(r"(?:^|\n|[.!] )[ \t]*({_W})[ \t/]*\Z".replace("{_W}", _W))


# "hb rn", "TK RRT", "j.m.r. rn" on a line of its own, or two on one line ("e.k. rn / d.o. rn (orientee)"):
# a clinician's initials signing the note
_INITIALS_SIGNED = re.compile(rf"(?im)(?:^|[ \t]/)[ \t]*((?:[a-z]\.){{2,3}}|[a-z]{{2,3}})[ \t]+{CREDENTIAL}\.?(?=[ \t]*(?:$|/|\())")
# ... or after the note's last sentence: "... call w/ questions. r.b. rn", "SON UPDATED.T.Q. RN" (dotted, even
# letters that are shorthand too; not "... in the a.m. rn")
_INITIALS_ENDING = re.compile(rf"(?i)(?<=[\w)%][.!?])[ \t]*(?!a\.m\.|p\.m\.)((?:[a-z]\.){{2,3}}|[a-z]{{2,3}})[ \t]+{CREDENTIAL}\.?\Z")


# Initials ending a note: "... reviewed with pt. jlh", "Routed to the office at 10:02 by DJM."; where the place
# signs ("signed"), after a dash, a column gap or alone on the last line: "... since 2/3. -jq", "case # 22   nq",
# "...\nc.o."; and a dictation's pair, who spoke and who typed: "d: 3/2/26 14:05  qz/vj"
_LAST_INITIALS = re.compile(r"(?:^|[.!] |\bby |(?P<signed>\n|[ \t]-|[ \t]{2,}))[ \t]*(?P<dash>-?)[ \t]*"
                            r"(?P<first>(?:[a-z]\.){2,3}|(?:[A-Z]\.){2,3}|[a-z]{2,3}|[A-Z]{2,3})"
                            r"(?:/(?P<second>[a-z]{2,3}|[A-Z]{2,3}))?[ \t/.]*\Z")
_DICTATION_FOOTER = re.compile(r"[ \t]*|.*\d{1,2}[:/]\d{2}.*")
# "DICTATED BY: QX   TRANSCRIBED: VWB", "Sonographer: QZ": initials behind a dictation or performer's label
_DICTATION = re.compile(r"(?i)\b(?:dictated|transcribed|typed|entered|sonographer|technologist|cytotech)(?:[ \t]+by)?[ \t]*:[ \t]*([a-z]{2,3})\b(?![.'’-])")


def _signature(text: str) -> list[tuple[int, int]]:
    """A given name or initials alone at the end of a note: the nurse who signed it (or the two of a dictation)."""
    m = _LAST_LINE.search(text.rstrip(" \t\n/"))
    if m and _given(m.group(1)) and _name_word(m.group(1)):
        return [(m.start(1), m.end(1))]
    m = _LAST_INITIALS.search(text.rstrip(" \t\n/"))
    if not m or not m.start():
        return []
    if m.group("second") and not _DICTATION_FOOTER.fullmatch(text, text.rfind("\n", 0, m.start("first")) + 1, m.start("first")):
        return []  # a dictation's pair stands alone on its line or after the date and time ("IVF  NS/LR" is no pair)
    # where the place signs, letters that only a dictionary holds sign too ("-mk")
    signed = bool(m.group("signed") or m.group("dash") or m.group("second"))
    groups = [g for g in ("first", "second") if m.group(g)]
    return [(m.start(g), m.end(g)) for g in groups] if all(_initials(m.group(g), signed) for g in groups) else []


def _initials(word: str, signed: bool = False) -> bool:
    """Letters no word, shorthand or abbreviation is: "jlh", "DJM", "z.q.", not "ok", "NAD", "ICU" or "a.m.";
    where the place signs (``signed``) a dictionary word of two or three letters may be initials ("- mk")."""
    key = fold(word.replace(".", ""))
    lex = load_lexicons()
    return not (key in STOP_WORDS or key in lex.common or not signed and lex.is_word(key) or key in _shorthand_terms()
                or key.upper() in _ABBREVIATIONS or key in _clinical_vocabulary() or key in lex.places)
