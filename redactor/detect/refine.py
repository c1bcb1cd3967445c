"""Turn raw recognizer output into findings a person would agree with.

Small spaCy models label form labels ("DOB", "SSN", "IBAN") as entities, read
long digit runs as dates, and URL recognizers fire on the domain of an e-mail
address.  Each rule below removes one such kind of noise; none of them can
remove a checksum-validated or context-confirmed identifier.  Clinical
lookalikes (eponyms, score names, blood pressures) and the Safe Harbor
``GENERAL`` types (a year alone, a state or country) are in ``clinical.py``.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from .beside import beside_names
from .candidate import CLINICAL_NER, SPACY_NER, STATISTICAL_RECOGNIZERS, Candidate
from .clinical import drop_clinical_lookalikes, general_type, retype_general
from .dates import holds_day_of_month, is_date, is_holiday
from .mentions import defined_abbreviations, later_mentions
from .wordsets import common_words, first_names
from .names.cues import _COMMA_NEXT, _PLACE_CUE_BEFORE, _PLACE_PREP_BEFORE, _US_STATE_CODES
from .names.lexicons import _NAME_PARTICLES, _PLACE_PARTICLES, fold, load_lexicons
from .names.runs import typed_in_lower_case
from .shorthand import CUE_RECOGNIZER, clinical_word, drop_shorthand_lookalikes
from .vocabulary import MONTH_STEMS, RELATIVES, alternation

# Words that label a field.  As an entity of their own they are noise.
LABEL_WORDS = frozenset(
    """dob ssn ss# iban bic swift mrn npi dea ein itin tin acct account routing aba phone tel fax
    mobile cell email e-mail zip zipcode postcode address addr id member group policy claim patient
    name dr mr mrs ms miss sir madam dear hi hello thanks regards sincerely subject re fw fwd cc bcc
    from to date icd icd-10 icd10 cpt rx dx hx diagnosis medicare medicaid insurance ref invoice
    card visa mastercard amex credit debit bank sort code pin cvv otp password username user
    signature tel. ph. no. number n/a na none unknown pager beeper""".split()
)
MONTHS = re.compile(rf"\b{alternation(MONTH_STEMS)}[a-z]*\.?\b", re.IGNORECASE)
NER_TYPES = frozenset({"PERSON", "LOCATION", "DATE_TIME", "NRP", "ORGANIZATION"})

# Minimum score per type, above the global floor.  Weak, ambiguous shapes need more.
TYPE_THRESHOLDS: dict[str, float] = {
    "US_DRIVER_LICENSE": 0.6,
    "US_PASSPORT": 0.6,
    "US_BANK_NUMBER": 0.6,
    "URL": 0.5,
    "DATE_TIME": 0.6,
    "PHONE_NUMBER": 0.45,
}


def refine(text: str, results: list[RecognizerResult], min_score: float) -> list[Candidate]:
    cands = [Candidate.of(r) for r in results]
    cands = [c for c in (_trim(text, _cut_at_breaks(text, c)) for c in cands) if c is not None]
    cands = [c for c in (_drop_edge_labels(text, c) for c in cands) if c is not None and _trim(text, c) is not None]
    cands = [c for c in cands if c.score >= max(min_score, TYPE_THRESHOLDS.get(c.entity_type, 0.0))]
    cands = [c for c in cands if not _is_noise(text, c)]
    cands = drop_clinical_lookalikes(text, cands)
    cands = drop_shorthand_lookalikes(text, cands)
    cands = _drop_url_inside_email(cands)
    cands = _drop_credentials_after_names(text, cands)
    cands = retype_general(text, cands)
    cands += later_mentions(text, cands)
    if abbreviations := defined_abbreviations(text, cands):  # over the clinical reading of the same letters
        spans = {(c.start, c.end) for c in abbreviations}
        cands = [c for c in cands if (c.start, c.end) not in spans] + abbreviations
    cands += beside_names(text, cands)
    return _resolve_overlaps(text, _ner_yields_to_cues(cands))


_NAMES_AND_PLACES = frozenset({"PERSON", "LOCATION", "HEALTHCARE_FACILITY"})


def _ner_yields_to_cues(cands: list[Candidate]) -> list[Candidate]:
    """The project's NER reading words that a cue rule typed otherwise yields to the rule, which read the cue
    ("transport by natick fire": a town's fire service, not a person)."""
    cued = [c for c in cands if c.recognizer == CUE_RECOGNIZER and c.entity_type in _NAMES_AND_PLACES]
    return [c for c in cands if not (c.recognizer == CLINICAL_NER and any(
        k.start <= c.start and c.end <= k.end and k.entity_type != c.entity_type for k in cued))]


# Types whose value may begin or end with a colon: "::1", "::ffff:10.0.0.1", "2001:db8::"
_COLON_EDGED = frozenset({"IP_ADDRESS"})
# Types whose span never needs a final full stop: a street ends "... St." or "... 97205." only
# where the sentence ends, and a placeholder that swallowed it would be followed by a second
# one when the answer is restored ("OR 97205..").
_NO_FINAL_STOP = frozenset({"STREET_ADDRESS", "LOCATION", "ZIP_CODE"})


def _trim(text: str, c: Candidate) -> Candidate | None:
    """Strip surrounding whitespace/punctuation that NER spans sometimes include."""
    s, e = c.start, c.end
    colon = "" if c.entity_type in _COLON_EDGED else ":"
    # an opening bracket stays when its partner is inside the span: "(217) 555-0143"
    while s < e and (text[s].isspace() or text[s] in "\"'`[{<>,;" + colon or (text[s] == "(" and ")" not in text[s:e])):
        s += 1
    stop = "." if c.entity_type in _NO_FINAL_STOP else ""
    while e > s and (text[e - 1].isspace() or text[e - 1] in "\"'`]}<>,;" + colon + stop
                     or (text[e - 1] == ")" and "(" not in text[s:e])):
        e -= 1
    if e <= s:
        return None
    c.start, c.end = s, e
    return c


_BREAK = re.compile(r"\n|[ \t]{3,}|\||\^")


def _cut_at_breaks(text: str, c: Candidate) -> Candidate:
    """NER reads across line breaks, table columns and HL7 fields ("Idris Ibragimov\nOnvia",
    "RA\nGen", "OBX|1|NM|HGB"): a name or place ends at the first break.  A person's name
    ends before the phone number or date NER read on with it ("husband Laszlo 781-555-0171",
    "Dr. Nakagawa 1/14/27"): the number is the other recognizers'."""
    if c.recognizer in STATISTICAL_RECOGNIZERS and (c.entity_type in NER_TYPES or c.entity_type == "HEALTHCARE_FACILITY"):
        m = _BREAK.search(text, c.start, c.end)
        if m is not None and text[c.start : m.start()].strip():
            c.end = m.start()
        if c.entity_type == "PERSON" and (n := _NUMBER_AFTER_NAME.search(text, c.start, c.end)) is not None \
                and not _ACRONYM_SHAPE.fullmatch(text, c.start, n.start()):  # not where "KEVIN" left alone reads as an acronym
            c.end = n.start()
    return c


_ACRONYM_SHAPE = re.compile(r"[A-Z]{1,5}")
# a phone number or a date, not a count NER read with a word ("Amb 150 ft")
_NUMBER_AFTER_NAME = re.compile(r"(?<=[A-Za-z.])[ \t]+(?:\(?\d{3}\)?[ ./-]?\d{3}[ ./-]\d{4}|\d{1,2}/\d{1,2}(?:/\d{2}(?:\d{2})?)?)$")


_LAST_WORD = re.compile(r"\s+(\S+)$")
_FIRST_WORD = re.compile(r"^(\S+)\s+")


def _is_label(word: str, place: bool) -> bool:
    """A field label as written on a form: "SSN", "DOB:", "MRN#" ("ID" and "MS"
    after a place are states)."""
    return (
        word.lower().strip(".:#") in LABEL_WORDS
        and (word.isupper() or word.endswith((":", "#")))
        and not (place and word in _US_STATE_CODES)
    )


def _drop_edge_labels(text: str, c: Candidate) -> Candidate | None:
    """"John Smith SSN 536-…": the label that follows a name is not part of it.
    Left in, the span would be counted beside "John Smith" and redacting it would
    remove the label that says what the next value is."""
    if c.entity_type not in ("PERSON", "LOCATION"):
        return c
    place = c.entity_type == "LOCATION"
    value = text[c.start : c.end]
    while (m := _LAST_WORD.search(value)) and _is_label(m.group(1), place):
        value = value[: m.start()]
    while (m := _FIRST_WORD.match(value)) and _is_label(m.group(1), place):
        c.start += m.end()
        value = value[m.end() :]
    c.end = c.start + len(value)
    return None if _is_label(value, place) and not _town_before_state(text, c) else c


# A state's code after a word, where the phrase ends: "from Mobile AL.", not "MOBILE IN BED".
_STATE_NEXT = re.compile(rf"[ \t]*,?[ \t]*(?:{'|'.join(sorted(_US_STATE_CODES))})(?=[ \t]*(?:$|[^\w \t]|\d))")


def _town_before_state(text: str, c: Candidate) -> bool:
    """A place before a state's code is a town, even one named as a label is ("CALLED FROM MOBILE AL.")."""
    return c.entity_type == "LOCATION" and bool(_STATE_NEXT.match(text, c.end))


def _is_noise(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    if c.entity_type not in NER_TYPES:
        return False
    low = value.lower().strip(".:# ")
    if low in LABEL_WORDS:
        return not _town_before_state(text, c)
    if c.entity_type in ("PERSON", "LOCATION", "ORGANIZATION", "NRP"):
        if not any(ch.isalpha() for ch in value):
            return True  # digits or symbols labeled as a name or place
        if is_date(value):
            return True  # "Oct 3-6" read as a person: the date recognizer reports it
        if value.isupper() and len(value) <= 5 and c.entity_type != "LOCATION" and c.recognizer != CUE_RECOGNIZER:
            return True  # acronyms: DOB, SSN, MRN
        if "@" in value or "://" in value:
            return True
        if c.recognizer in STATISTICAL_RECOGNIZERS and all(_NOT_A_NAME.fullmatch(w) for w in value.split()):
            return True  # "HUSBAND'S CELL", "BRZEZINSKI, M.D.": a relation or a degree NER read as a name or a state
        if _CONTRACTION.fullmatch(value):
            return True  # "Con't", "Cont'd": a word cut short, not a name
        if (c.entity_type == "LOCATION" and c.recognizer in STATISTICAL_RECOGNIZERS and value.islower() and not typed_in_lower_case(text)
                and not (_place_cue(text, c.start, c.end) and (c.recognizer == SPACY_NER or _known_place(value)))):
            return True  # "septum", "mucosa": in cased text a place is capitalised, or follows "in"
            # (and for the project's NER, trained on lower-cased copies, is a place the lexicons know: not "in brackets")
        if (c.entity_type == "PERSON" and c.recognizer == CLINICAL_NER and not typed_in_lower_case(text)
                and any(w.islower() and fold(w) not in _NAME_PARTICLES for w in value.split())):
            return True  # "Pulmonary clinic": in cased text each word of a name is capitalised
        if c.entity_type == "PERSON" and c.recognizer == CLINICAL_NER and all(len(w) == 1 or clinical_word(w) for w in value.split()):
            return True  # "swan d/c'd": care words (and initials) the project's NER took for a name
        if c.entity_type == "PERSON" and c.recognizer not in ("NameRecognizer", CUE_RECOGNIZER) and _heading_word(text, c.start, c.end):
            return True  # "## Background", "Assessment:": section headings, not people
        if c.entity_type == "PERSON" and c.recognizer not in ("NameRecognizer", CUE_RECOGNIZER) and _word_not_name(value):
            return True  # "Lunch is at noon": an English word no name list knows
        if c.entity_type == "LOCATION" and c.recognizer not in ("NameRecognizer", CUE_RECOGNIZER) and _words_not_place(text, c, value):
            return True  # "Nice to have", "the delta delta": ordinary words read as a place
        if c.entity_type == "LOCATION" and _COMPASS.fullmatch(value) and _FLOOR_BEFORE.search(text, max(0, c.start - 6), c.start):
            return True  # "transferred to 6 North": a ward by its floor and wing
    if c.entity_type == "DATE_TIME" and not holds_day_of_month(text, c.start, c.end) and not is_holiday(value):
        if not any(ch.isdigit() for ch in value) and not MONTHS.search(value):
            return True  # "this morning", "Thursday", "the weekend": not identifying
        digits = re.sub(r"\D", "", value)
        if (len(digits) > 8 and not MONTHS.search(value) and not _MONTH_SPAN.fullmatch(value.strip())
                and not _ISO_TIMESTAMP.fullmatch(value.strip())):
            inner = _DATE_IN_RUN.search(value)
            if not inner:
                return True  # long digit runs: card, account or phone numbers, not dates
            # "11/03/2023 0800", "60640 2026-11-03 02:55" (a table row): the date alone
            c.start, c.end = c.start + inner.start(), c.start + inner.end()
        if re.fullmatch(r"\d{1,3}", value.strip()):
            return True  # "21", "65": ages and counts
        if re.fullmatch(r"\d{5,}", value.strip()) and not _compact_date(value.strip()):
            return True  # "6940579": an identifier spaCy read as a date
        if not MONTHS.search(value) and not _DATE_SHAPE.search(value):
            return True  # "18 to 64", "2 weeks": ages and durations, no calendar date
        if _RANGE.fullmatch(value.strip()) and (_UNIT_AFTER.match(text, c.end) or value.strip()[-1].isalpha()):
            return True  # "approx 70-80 y/o", "2-3 days", "a 4-5 day history", "EtOH 2-3 drinks": amounts
    return False


_CONTRACTION = re.compile(r"[A-Za-z]{2,}['’](?:t|d)")
_NOT_A_NAME = re.compile(rf"(?i)(?:{alternation(RELATIVES)}|m\.d\.?|d\.o\.?|r\.n\.?|ph\.d\.?)(?:['’]s)?")
_DATE_IN_RUN = re.compile(
    r"(?<![\d/-])(?:\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})|(?:19|20)\d\d-[01]\d-[0-3]\d)(?![\d/-])"
)
_RANGE = re.compile(r"\d{1,3}[ \t]*[-–][ \t]*\d{1,3}(?:[ \t]+(?:days?|weeks?|wks?|months?|years?|hours?|hrs?))?")
_UNIT_AFTER = re.compile(
    r"(?:[ \t]*(?:y/?o|yrs?|years?|days?|weeks?|wks?|months?|mos?|hours?|hrs?|times|x|mg|mcg|g|mL|ml|L|drinks?|units?|"
    r"cm|mm|kg|lbs?|%|bpm|beats|breaths|points?|tabs?|tablets?|cigarettes|cigs|packs?|mmHg)\b|[ \t]*%|[ \t]+each\b)",
    re.IGNORECASE,
)
_MONTH_SPAN = re.compile(r"\d{1,2}/\d{4}[ \t]*[-–][ \t]*\d{1,2}/\d{4}")  # 01/2026-07/2026
# ISO 8601 date and time: 2024-06-05T09:15:30.500-07:00, 2024-03-15T14:30Z; the time is part of the date
_ISO_TIMESTAMP = re.compile(
    r"\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:Z|[+-][0-2]\d(?::?[0-5]\d)?)?"
)
# A year, a numeric date, a time of day or an 8-digit compact date (a day of the month, "the
# 12th", is kept before this filter: dates.holds_day_of_month).
_DATE_SHAPE = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)|\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?|\d{1,2}:\d{2}|(?<!\d)\d{8}(?!\d)")
_HEADING_MARKS = re.compile(r"^[\s#*>\-•\d.)]*")


def _heading_word(text: str, start: int, end: int) -> bool:
    """A single common English word (not a given name) that opens a short heading line."""
    word = text[start:end]
    if " " in word or fold(word) not in common_words() or fold(word) in first_names():
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    head = _HEADING_MARKS.match(line)
    opens_line = line_start + (head.end() if head else 0) == start
    words = line.strip().rstrip(":").split()
    return opens_line and len(words) <= 4 and not line.rstrip().endswith((".", "?", "!"))


def _word_not_name(value: str) -> bool:
    """One English word that is neither a given name nor a surname."""
    key = fold(value)
    lex = load_lexicons()
    return " " not in value and key in lex.dictionary and key not in lex.first and key not in lex.last


_ARTICLE = frozenset({"the", "a", "an"})


_COMPASS = re.compile(r"(?i)north|south|east|west")
_FLOOR_BEFORE = re.compile(r"(?<![\w/.,-])\d{1,2}[ \t]*$")


def _words_not_place(text: str, c: Candidate, value: str) -> bool:
    """A place reading made of ordinary words, with no place cue around it: a very
    frequent word ("Nice"), or a phrase of English words with a lower-case word in
    it ("Nice to have", "the delta delta") that is not itself a known place.  A
    given name stays: spaCy sometimes calls a person a place ("calls me Ján")."""
    lex = load_lexicons()
    words = value.split()
    keys = [fold(w) for w in words]
    if len(keys) == 1:
        # "Nice"; and a dictionary or clinical word no place list knows ("Creatinine", "Decedent")
        ordinary = keys[0] not in lex.first and (
            keys[0] in lex.common or (keys[0] not in lex.places and general_type(value) is None
                                      and (lex.is_word(keys[0]) or keys[0] in common_words())))
    else:
        body = words[1:] if keys[0] in _ARTICLE else words
        ordinary = (
            any(w.islower() and fold(w) not in _PLACE_PARTICLES for w in body)
            and all(k in lex.dictionary or k in lex.common for k in keys)
            and fold(" ".join(body)) not in lex.places
        )
    return ordinary and not _place_cue(text, c.start, c.end)


def _known_place(value: str) -> bool:
    lex = load_lexicons()
    return fold(value) in lex.places or fold(value) in lex.towns


def _place_cue(text: str, start: int, end: int) -> bool:
    """"in Nice", "flew to Nice", "Nice, France"."""
    before = text[max(0, start - 60) : start]
    return bool(_PLACE_PREP_BEFORE.search(before) or _PLACE_CUE_BEFORE.search(before) or _COMMA_NEXT.match(text[end : end + 45]))


def _compact_date(digits: str) -> bool:
    """YYYYMMDD or DDMMYYYY / MMDDYYYY written without separators."""
    if len(digits) != 8:
        return False
    y1, m1, d1 = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    a, b, y2 = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    return (1800 <= y1 <= 2100 and 1 <= m1 <= 12 and 1 <= d1 <= 31) or (
        1800 <= y2 <= 2100 and 1 <= min(a, b) <= 12 and 1 <= max(a, b) <= 31
    )


# Degrees and licences written after a name; "MD" and "PA" are also US state codes.
CREDENTIALS = frozenset({"MD", "DO", "RN", "NP", "PA", "PhD", "DDS", "DMD", "PharmD", "MPH", "FACP", "LPN", "CNP", "MBBS",
                         "CPhT", "DPT", "LCSW", "LMFT", "CNM", "CRNA", "APRN", "MSW", "PT", "OT", "RD", "BSN", "MSN", "DNP"})


def _drop_credentials_after_names(text: str, cands: list[Candidate]) -> list[Candidate]:
    """"Dr. Rajesh Patel, MD": the MD is a degree, not Maryland."""
    person_ends = {c.end for c in cands if c.entity_type == "PERSON"}
    if not person_ends:
        return cands

    def after_name(c: Candidate) -> bool:
        i = c.start
        while i > 0 and c.start - i < 3 and text[i - 1] in " ,":
            i -= 1
        return i < c.start and i in person_ends

    return [c for c in cands if not (c.entity_type == "LOCATION" and text[c.start : c.end] in CREDENTIALS and after_name(c))]


def _drop_url_inside_email(cands: list[Candidate]) -> list[Candidate]:
    emails = [c for c in cands if c.entity_type == "EMAIL_ADDRESS"]
    if not emails:
        return cands
    return [
        c
        for c in cands
        if not (c.entity_type == "URL" and any(e.start <= c.start and c.end <= e.end for e in emails))
    ]


# Recognizers whose matches are confirmed by a checksum or a format beat generic
# shapes (phone, date, NER) when they claim the same characters.
_SPECIFICITY = {
    "PHONE_NUMBER": 1,
    "DATE_TIME": 0,
    "DATE_YEAR": 0,
    "REGION": 1,
    "US_DRIVER_LICENSE": 0,
    "US_BANK_NUMBER": 1,
    "LOCATION": 1,
    "PERSON": 2,
    "URL": 1,
}


def _spec(c: Candidate) -> int:
    return _SPECIFICITY.get(c.entity_type, 3)


def _resolve_overlaps(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Keep the most specific of overlapping candidates.

    A candidate wholly inside a kept one is dropped, and one that overlaps a kept
    one of the same type widens it: one name is one finding, however many
    recognizers saw it.  A vaguer candidate around a kept one is dropped only
    when it adds no letters or digits of its own (a "date" that is exactly a card
    number); otherwise both are kept so nothing is left unredacted, and the
    transform stage merges them into one placeholder.
    """
    kept: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (_spec(c), c.score, c.end - c.start), reverse=True):
        if any(k.start <= c.start and c.end <= k.end for k in kept):
            continue
        same = next((k for k in kept if k.entity_type == c.entity_type and k.start < c.end and c.start < k.end), None)
        if same is not None:
            same.start, same.end = min(same.start, c.start), max(same.end, c.end)
            continue
        inner = [k for k in kept if c.start <= k.start and k.end <= c.end]
        if inner:
            covered = set()
            for k in inner:
                covered.update(range(k.start, k.end))
            extra = "".join(text[i] for i in range(c.start, c.end) if i not in covered)
            if not any(ch.isalnum() for ch in extra):
                continue
        kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end))
