"""Clinical shorthand: what ICU and ward nursing notes look like, and what in them is
not PHI.

Nursing notes are written fast, in capitals or all in lower case, in abbreviations
("CONT ON DOPA AT 8MCG", "sx'd for thick yellow via ett"), with vitals, ranges, doses,
24-hour times and ventilator settings everywhere and sentences run together without a
space ("clear.no edema").  A general-purpose scanner reads much of that as people,
streets, phone numbers, web addresses and dates.  ``is_shorthand`` tells such a note
by its vocabulary, and ``drop_shorthand_lookalikes`` then applies ordered safe
patterns, as Philter does (Norgeot et al., npj Digit. Med. 2020: safe patterns for
times, doses and ranges run before the PHI patterns), each with the shape it comes
from:

1. *run-on sentences*: a "host" whose labels are words, abbreviations or numbers and
   which has no scheme, "www." or path ("NECESSARY.PT", "pt.is", "afternoon...pt",
   "7.60.PT") is two sentences, not a URL; in any text;
2. *doses and rates read as addresses*: a "street" made only of clinical words,
   abbreviations, common words, stop words and numbers with units ("AND HEPARIN AT
   850", "PTT 67", "3 WAY FOLEY IN PLACE", "via picc with"), unless it is a house
   number, name words and a street type ("2437 Main St") or a PO box; in shorthand;
3. *lab strings and ranges read as phone numbers*: an ABG or lab string ("7.38-33-169"),
   separators of two kinds in one number, a clock time and a value ("0600-281"), a
   range after a vital sign or a volume ("TV 900-1500"); in shorthand;
4. *settings, fractions, ranges, decimals and clock times read as dates*: "PS 12/5/40%",
   "CPAP 5/5", "1/2 NS", "rales 1/3 up", "4/4 bottles", "RR 14-20", "20-30cc",
   "24.6", "1:15pm", "at 1830"; in shorthand;
5. *clinical words read as people, places or facilities*: a finding made only of
   clinical vocabulary, drug names, abbreviations, common words and numbers ("YELLOW
   URINE", "Wean", "GIVEN LASIX", "Endo", "fem sheaths", "ORIENTED TO NAME AND
   HOSPITAL") is none, unless a title, a credential or a relation word stands by it
   ("Dr Small", "WIFE HOPE"); a facility keeps its head word only with a name word
   before it ("UNION HOSP." stays, "CARDIAC REHAB" goes).

A word that is a clinical word and a name ("Foley", "Swan") is a name only with such
context.  The clinical vocabulary is ``clinical_words.txt`` (hand-written, with the
shorthand of ICU notes), ``medical_words.txt`` (ICD-10-CM and MeSH) and the drug and
condition lexicons.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from .clinical import _ABBREVIATIONS, _clinical_vocabulary, _lexicon
from .dates import holds_day_of_month
from .names.lexicons import fold, load_lexicons

from .candidate import Candidate
from .vocabulary import DOCTOR_FORMS, MONTH_STEMS, alternation


# Words that only nursing and ICU notes use this densely: vitals, lines, drips, routes.
_SHORTHAND_MARKS = re.compile(
    r"(?i)(?<![\w/])(?:bp|hr|rr|sbp|map|cvp|pad|peep|fio2|abg'?s?|ngt|ogt|ett|gtt|prn|po|iv|sq|cc/hr|mcg|meq|"
    r"sats?|spo2|o2|u/?o|uop|vss|afeb(?:rile)?|npo|neuro|resp|cv|gi|gu|ls|mae|perrla?|a&ox3|nc|ivf|tf'?s?|"
    r"cxr|kub|wbc|hct|inr|ptt|foley|lasix|heparin|dopa(?:mine)?|levo(?:phed)?|neo|propofol|vent|cpap|psv?|"
    r"simv|trach|sx'?d|sxn'?d|suctioned|bs|lytes|k\+|mg\+?|pt|pt's|ho|c/o|s/p|d/c'?d?|w/|q\d+h?r?s?)(?![\w/])"
)
_SHORTHAND_MIN = 3  # distinct marks


@lru_cache(maxsize=64)
def is_shorthand(text: str) -> bool:
    """A clinical note in shorthand: at least three distinct marks of vitals, lines,
    drips and nursing abbreviations ("BP", "GTT", "SATS", "NGT", "s/p")."""
    seen: set[str] = set()
    for m in _SHORTHAND_MARKS.finditer(text):
        seen.add(m.group().lower())
        if len(seen) >= _SHORTHAND_MIN:
            return True
    return False


_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*|\d[\w'’/.%+-]*")
_NUMBER_WITH_UNIT = re.compile(r"\d[\d.,/%+-]*(?:[a-z]{0,6}(?:/[a-z]{1,4})?|'s|’s|s)?", re.IGNORECASE)


@lru_cache(maxsize=1)
def _drug_words() -> frozenset[str]:
    return frozenset(fold(t) for f in ("medications.txt", "conditions.txt") for t in _lexicon(f) if " " not in t)


@lru_cache(maxsize=1)
def _shorthand_terms() -> frozenset[str]:
    return frozenset(fold(t) for t in _lexicon("clinical_shorthand.txt"))


def _key(word: str) -> str:
    return fold(re.sub(r"['’]s$", "", word.strip(".,;:()'’\"-/")))


@lru_cache(maxsize=1 << 14)
def clinical_word(word: str) -> bool:
    """Clinical vocabulary, a drug, the shorthand of ``clinical_shorthand.txt`` or a clinical
    abbreviation: a word a note uses for care, even where a name list holds it ("MAE", "Foley")."""
    key = _key(word)
    return (key in _shorthand_terms() or key in _clinical_vocabulary() or key in _drug_words()
            or word.strip(".,;:()'’\"-/").upper() in _ABBREVIATIONS)


@lru_cache(maxsize=1 << 14)
def shorthand_word(word: str) -> bool:
    """A word of clinical shorthand, not a name: clinical vocabulary, a drug, the
    shorthand of ``clinical_shorthand.txt``, an abbreviation, a frequent or stop word, an
    English word no name list holds, a number with its unit ("850U", "70'S")."""
    word = word.strip(".,;:()'’\"-/")
    if not word or _NUMBER_WITH_UNIT.fullmatch(word):
        return True
    key = _key(word)
    lex = load_lexicons()
    return (
        key in STOP_WORDS
        or key in _shorthand_terms()
        or key in _clinical_vocabulary()
        or key in _drug_words()
        or word.upper() in _ABBREVIATIONS
        or key in lex.common
        or lex.is_word(key)
        or (key in lex.dictionary and key not in lex.first and key not in lex.places)  # "given": a surname, a word first
    )


@lru_cache(maxsize=1 << 14)
def plain_word(word: str) -> bool:
    """``shorthand_word``, or any word of the English dictionary even if it is a name too
    ("HELD"), or a short abbreviation ("SBP"): what a street name or a host is not made of."""
    word = word.strip(".,;:()'’\"-/")
    key = _key(word)
    return shorthand_word(word) or key in load_lexicons().dictionary or (len(word) <= 4 and word.isalpha()
                                                                       and not load_lexicons().is_name(key))


def _name_evidence(words: list[str]) -> bool:
    """A word a name or place list holds that shorthand does not claim."""
    lex = load_lexicons()
    return any((lex.is_name(_key(w)) or _key(w) in lex.places) and not shorthand_word(w) for w in words)


# A person's context: a title or relation word before, a credential after.
_PERSON_BEFORE = re.compile(
    rf"(?i)(?:\b(?:{alternation(DOCTOR_FORMS[:3] + ('mr', 'mrs', 'ms', 'miss'))}|"
    r"md|np|rn|pa|ho|attending|resident|fellow|intern|nurse|husband|wife|son|daughter|dtr|sister|brother|"
    r"mother|father|mom|dad|niece|nephew|aunt|uncle|friend|girlfriend|boyfriend|"
    r"partner|caregiver|neighbou?r|cousin|grandson|granddaughter|spoke\s+(?:with|to)|talked\s+(?:with|to))"
    r"[.'’s]*[ \t]*[:,-]?[ \t]*)$"
)
_CREDENTIAL_AFTER = re.compile(r"(?i),?[ \t]+(?:md|np|pa|rn|rrt|crt|lpn|licsw|lcsw|msw|pa-c|do|pharmd)\b")
_FACILITY_HEAD = re.compile(r"(?i)\b(?:hosp(?:ital)?|med(?:ical)?\.?[ \t]+c(?:en)?t(?:e)?r|memorial|clinic)\b\.?")
CUE_RECOGNIZER = "ShorthandNameRecognizer"
_NAME_TYPES = frozenset({"PERSON", "LOCATION", "HEALTHCARE_FACILITY", "NRP", "ORGANIZATION"})


def person_word_before(text: str, start: int) -> bool:
    """A title, a role or a relation word right before ``start``: "DR", "HO", "WIFE", "spoke with"."""
    return bool(_PERSON_BEFORE.search(text[max(0, start - 25) : start]))


def _person_context(text: str, c: Candidate) -> bool:
    return person_word_before(text, c.start) or bool(_CREDENTIAL_AFTER.match(text, c.end))


def _clinical_words_only(text: str, c: Candidate) -> bool:
    """Rule 5 (see module docstring)."""
    value = text[c.start : c.end]
    words = _WORD.findall(value)
    if not words or c.recognizer == CUE_RECOGNIZER or _person_context(text, c):
        return False
    if c.entity_type in ("HEALTHCARE_FACILITY", "ORGANIZATION") and len(words) > 1 and all(
            w[0].isupper() and not w.isupper() for w in words if w.lower() not in STOP_WORDS):
        return False  # "Riverside Apothecary": a name written as one, in a cased note
    if c.entity_type in ("HEALTHCARE_FACILITY", "LOCATION") and (head := _FACILITY_HEAD.search(text, c.start, c.end + 12)):
        before = _WORD.findall(text[c.start : head.start()])
        # "UNION HOSP.": a word before the head that is not frequent and not clinical names the place
        if before and not shorthand_word(before[-1]) or before and fold(before[-1]) not in load_lexicons().common \
                and fold(before[-1]) not in _clinical_vocabulary() and before[-1].upper() not in _ABBREVIATIONS:
            return False
    return all(shorthand_word(w) for w in words) or not _name_evidence(words)


# -- 1. run-on sentences -----------------------------------------------------------------
_HOST_LABELS = re.compile(r"[.]+")


def _run_on_sentence(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    if "://" in value or "@" in value or value.lower().startswith("www") or "/" in value.split(".", 1)[-1].strip("."):
        return False
    labels = [p for p in _HOST_LABELS.split(value) if p]
    if len(labels) < 2:
        return False
    # a host is written in lower case; "limits.No", "NECESSARY.PT" are two sentences
    return ".." in value or is_shorthand(text) or (any(ch.isupper() for ch in labels[-1]) and all(plain_word(p) for p in labels))


# -- 2. doses and rates read as addresses ------------------------------------------------
_HOUSE_NUMBER_STREET = re.compile(
    r"\d{1,6}[A-Za-z]?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:[A-Za-z][\w'’.-]*[ \t]+){1,4}?"
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|circle|parkway|"
    r"highway|hwy)\b\.?",
    re.IGNORECASE,
)


def _dose_not_address(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    street = _HOUSE_NUMBER_STREET.match(value)
    if street and not any(w.lower() in STOP_WORDS for w in _WORD.findall(street.group())[1:-1]):
        return False  # "2437 Main St", "7401 MARKET ST"
    if _PO_BOX.search(value):
        return False
    lex = load_lexicons()
    words = [w for w in _WORD.findall(value) if not w[0].isdigit()]
    return all(shorthand_word(w) or (len(w) <= 4 and not lex.is_name(_key(w)) and _key(w) not in lex.places)
               for w in words)


_PO_BOX = re.compile(r"(?i)\b(?:p\.?\s?o\.?\s*box|post\s+office\s+box)\s+\d")


# -- 3. lab strings and ranges read as phone numbers -----------------------------------
_VITAL_BEFORE = re.compile(
    r"(?i)\b(?:tv|vt|volumes?|vols?|bp|sbp|dbp|map|hr|rr|cvp|pad|pap|pas|pcwp|peep|sats?|glucose|bs|fs|u/?o|uop|"
    r"temp|tmax|co|ci|svr|ptt|inr|k|abg|ranging|range|between|from|febrile\s+at)[ \t:=-]*(?:\S+[ \t]+){0,2}$"
)


def _range_or_lab_string(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    if _US_PHONE.fullmatch(value):
        return False
    separators = set(re.findall(r"[-. /]", re.sub(r"(?<=\d)\.(?=\d+(?:$|[- /]))", ".", value)))
    if re.search(r"\d\.\d", value) and "-" in value:
        return True  # "7.38-33-169", "101.8-102.8": a blood gas or a fever range
    if len(separators - {"."}) > 1:
        return True  # "78-84 28 98-100": a row of vitals
    m = re.fullmatch(r"(\d{2,4})-(\d{2,4})", value)
    if m and len(m.group(1)) == 4 and re.fullmatch(r"(?:[01]\d|2[0-4])[0-5]\d", m.group(1)) and len(m.group(2)) <= 3:
        return True  # "0600-281": a clock time and a value
    if re.fullmatch(r"(?:[01]\d|2[0-4])[0-5]\d[ -]\d{1,4}", value):
        return True  # "0000 1135", "1800 116": a clock time, then another or a value
    if m and int(m.group(1)) < int(m.group(2)) and not m.group(2).startswith("0"):
        return not _PHONE_CONTEXT.search(text, max(0, c.start - 30), c.start)  # "TV 900-1500", "IS 750-1000"
    return False


_US_PHONE = re.compile(r"(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}")
_PHONE_CONTEXT = re.compile(r"(?i)\b(?:phone|tel|call|called|cell|pager|beeper|pg|fax|number|contact|reach|#)\b|#")


# -- 4. settings, fractions, ranges, decimals and times read as dates ---------------------
_SETTING_BEFORE = re.compile(
    r"(?i)\b(?:ps|psv|ips|cpap|simv|imv|ac|a/c|peep|vent|settings?|flowby|flow-by|bipap|mode|on|to|at|from)[ \t:/-]*$"
)
_FRACTION_OF = re.compile(r"(?i)[ \t]*(?:up|way|str(?:ength)?|ns|nss|amp|amps|hr|hrs|hour|hours|bottles?|cultures?|"
                          r"bld|blood|of|dose|bilat|ns\b|nph|tab|tabs|liters?)\b")
_DATE_CUE_BEFORE = re.compile(r"(?i)\b(?:on|since|dated|date|until|till|by|from|due|in|s/p|of)[ \t]+$")
_NUMERIC_RANGE = re.compile(r"~?\d{1,4}(?:\.\d+)?(?:'?s)?[ \t]*(?:-|to)[ \t]*\d{1,4}(?:\.\d+)?(?:'?s|[a-z]{1,5}(?:/[a-z]{1,3})?)?-?",
                            re.IGNORECASE)
_VENT_WORD = re.compile(r"(?i)\b(?:ps|psv|ips|cpap|simv|imv|peep|vent|settings?|flowby|bipap|fio2|extubat\w*|wean\w*)\b")
_MONTH_WORD = re.compile(rf"(?i)\b{alternation(MONTH_STEMS)}[a-z]*\b")
# a month and day (4/30, 4-30-97), or a year of four digits
_DAY_SHAPE = re.compile(r"(?<![\d.])(?:0?[1-9]|1[0-2])[/-](?:0?[1-9]|[12]\d|3[01])(?![\d.])|(?<!\d)(?:19|20)\d\d(?!\d)|"
                        r"(?<![\d.])(?:0?[1-9]|1[0-2])/\d\d(?!\d)")


def setting_not_date(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end].strip()
    before = text[max(0, c.start - 20) : c.start]
    chain = re.fullmatch(r"(\d{1,3})/(\d{1,3})(?:/(\d{1,3}))?(%?)", value)
    after = text[c.end : c.end + 12]
    if chain:
        a, b = int(chain.group(1)), int(chain.group(2))
        if chain.group(3) and (after.startswith("%") or chain.group(4)):
            return True  # "12/5/40%": pressure support, PEEP, oxygen
        if b <= 4 and a < b and not _DATE_CUE_BEFORE.search(before):
            return True  # "1/2 NS", "1/3 up", "3/4 str"
        if a <= b and b <= 4 or _FRACTION_OF.match(after):
            return True  # "4/4 bottles", "1/4 blood cultures"
        near = text[max(0, c.start - 60) : c.start]
        if a == b and not (_DATE_CUE_BEFORE.search(before) and not _VENT_WORD.search(near)) or (
                b == 10 and a <= 10 and not _DATE_CUE_BEFORE.search(before)):
            return True  # "CPAP 5/5", "EXCELLENT 5/5 ABG"; "CP 5/10": a rating
        if b <= 20 and _SETTING_BEFORE.search(before) and re.search(r"(?i)\b(?:ps|psv|ips|cpap|simv|imv|peep|vent|"
                                                                   r"settings?|flowby|bipap)\b", text[max(0, c.start - 40) : c.start]):
            return True  # "PS 10/5", "CPAP 5/5", "flowby 6/2"
        return False
    if _NUMERIC_RANGE.fullmatch(value) and not _DATE_CUE_BEFORE.search(before):
        return True  # "RR 14-20", "20-30cc", "10 TO 7.5"
    # what is left must hold a date: a month, a month and day, a year, a day of the month
    return not (_MONTH_WORD.search(value) or _DAY_SHAPE.search(value) or holds_day_of_month(text, c.start, c.end))


# -- codes ------------------------------------------------------------------------------
_CODE_TYPES = frozenset({"UNIQUE_ID", "DEVICE_ID", "SWIFT_CODE"})


def _value_not_code(text: str, c: Candidate) -> bool:
    """"serial CPK at 2100", "order for 250cc", "Rx: 78-84", "REPLETED": clock times,
    doses, ranges and words are not codes."""
    value = text[c.start : c.end]
    if value.isalpha():
        return plain_word(value)
    return len(re.sub(r"\D", "", value)) <= 4 or bool(re.fullmatch(r"\d{1,4}-\d{1,4}", value))


# -- the pass ----------------------------------------------------------------------------


_TIME_CUE_BEFORE = re.compile(r"(?i)(?:\b(?:at|by|due|from|to|until|til|since|approx|aprox|around|about|@|~)|[@~])[ \t.:]*$")


def _clock_time(text: str, c: Candidate) -> bool:
    """Rule 4: "at 2000", "@ 2030", "due 1910", "from 2000 to 2400": a 24-hour clock time
    behind a time word, not a year."""
    value = text[c.start : c.end]
    if not re.fullmatch(r"[0-2]\d[0-5]\d", value) or int(value[:2]) > 24:
        return False
    return bool(_TIME_CUE_BEFORE.search(text, max(0, c.start - 12), c.start))


def drop_shorthand_lookalikes(text: str, cands: list[Candidate]) -> list[Candidate]:
    """The safe patterns of the module docstring, in order."""
    if not cands:
        return cands
    shorthand = is_shorthand(text)
    kept = []
    for c in cands:
        kind = c.entity_type
        if kind == "URL" and _run_on_sentence(text, c):
            continue
        if shorthand:
            if kind == "STREET_ADDRESS" and _dose_not_address(text, c):
                continue
            if kind == "PHONE_NUMBER" and _range_or_lab_string(text, c):
                continue
            if kind == "DATE_TIME" and setting_not_date(text, c):
                continue
            if kind in ("DATE_TIME", "DATE_YEAR") and _clock_time(text, c):
                continue
            if kind in _CODE_TYPES and _value_not_code(text, c):
                continue
            if kind in _NAME_TYPES and _clinical_words_only(text, c):
                continue
        kept.append(c)
    return kept
