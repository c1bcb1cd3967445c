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
   before it, past the words that describe a facility ("UNION HOSP.", "MILLBROOK VNA",
   "KELLER COMMUNITY HOSP" stay; "CARDIAC REHAB", "HOME CARE", "NEEDS SKILLED NURSING"
   go; before a short head such as "Dialysis" no English word: "SLED DIALYSIS" goes).  Without such context a finding
   made of shorthand and of names that are also English words (WordNet's: "GIVEN",
   "COMFORT", "PINK BASE") is none, unless a place cue stands by it; a name before a
   device noun or after a line's site is a device ("Bair hugger", "LSC QUINTON"); a word
   no name list holds is none whatever stands by it ("Stoma RN", "Hemodynamics PA 48/20");
6. *what the context recognizer misread*: a piece of a token ("8AM-FOUND PT",
   "mcg/kg/min, Pt."; not a second signer, "KESTREL RN/ABARA RN"), a word no name list
   holds before "pt" (the patient: "to intubate pt"), a care unit ("TO PCU", "the vicu"),
   a verb and a count ("to transfuse 2 additional") or a count or frequency glued to a
   word ("commodex3"); in any text.

A word that is a clinical word and a name ("Foley", "Swan") is a name only with such
context.  The clinical vocabulary is ``clinical_words.txt`` (hand-written, with the
shorthand of ICU notes), ``medical_words.txt`` (ICD-10-CM and MeSH) and the drug and
condition lexicons.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from .clinical import _ABBREVIATIONS, _clinical_vocabulary, _lexicon, day_of_an_event, general_type
from .dates import holds_day_of_month
from .facility_heads import _heads, _is_generic, _norm
from .names.cues import _COMMA_NEXT, _PLACE_CUE_BEFORE, _PLACE_PREP_BEFORE, _US_STATE_CODES
from .names.lexicons import fold, load_lexicons

from .candidate import Candidate
from .vocabulary import DOCTOR_FORMS, MONTH_STEMS, RELATIVES, alternation


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
    return fold(re.sub(r"['’][sS]$", "", word.strip(".,;:()'’\"-/")))


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
        key.upper() in _ABBREVIATIONS  # "ABG'S", "PVC'S"
        or key in STOP_WORDS
        or key in _shorthand_terms()
        or key in _clinical_vocabulary()
        or key in _drug_words()
        or word.upper() in _ABBREVIATIONS
        or key in lex.common
        or lex.is_word(key)
        or (key in lex.dictionary and key not in lex.first and key not in lex.places)  # "held": a surname, a word first
        or _inflected_word(key)
    )


_SUFFIXES = ("ing", "ed", "es", "ly", "s", "d")


def _inflected_word(key: str) -> bool:
    """"weaned", "oozing", "distended", "labored": an inflection of an English or clinical
    word that no name or place list holds as it is written."""
    lex = load_lexicons()
    if len(key) < 5 or not key.isalpha() or lex.is_name(key) or key in lex.places:
        return False
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            stem = key[: -len(suffix)]
            for base in (stem, stem + "e", stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] else ""):
                if base and (base in lex.dictionary or base in _clinical_vocabulary() or base in _shorthand_terms()):
                    return True
    return False


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
    rf"md|np|rn|pa|ho|attending|resident|fellow|intern|nurse|{alternation(RELATIVES)}|spoke\s+(?:with|to)|talked\s+(?:with|to))"
    r"[.'’s]*[ \t]*[:,(-]?[ \t]*|\b(?:pt|patient|name|pt\s+name|patient\s+name)[ \t]*:[ \t]*)\Z"
)  # \Z, not $: "$" also matches before a line's end, and "ON 4L NP.\nFOLEY ..." is no person
_ACTION_AFTER = re.compile(r"(?i)[ \t]*,?[ \t]+(?:aware|notified|informed|updated|paged|phoned|called|spoke|said|stated|"
                           r"ordered|wants|agreed|recommended|requested)\b")
_CREDENTIAL_AFTER = re.compile(r"(?i),?[ \t]+(?:md|np|pa|rn|rrt|crt|lpn|licsw|lcsw|msw|pa-c|do|pharmd)\b")
_FACILITY_HEAD = re.compile(r"(?i)\b(?:hosp(?:ital)?|med(?:ical)?\.?[ \t]+c(?:en)?t(?:e)?r|memorial|mem|clinic)\b\.?")
CUE_RECOGNIZER = "ShorthandNameRecognizer"
_NAME_TYPES = frozenset({"PERSON", "LOCATION", "HEALTHCARE_FACILITY", "NRP", "ORGANIZATION"})


def person_word_before(text: str, start: int) -> bool:
    """A title, a role or a relation word right before ``start``: "DR", "HO", "WIFE", "spoke with"."""
    return bool(_PERSON_BEFORE.search(text[max(0, start - 25) : start]))


def _person_context(text: str, c: Candidate) -> bool:
    """A title, relation word or credential by the finding, or inside it at its edge ("Dr Smith",
    "Mrs Nicholson" as NER reads them), an initial that opens it ("Z. MILLER"), or an action
    after it ("SULLIVAN PHONED")."""
    if person_word_before(text, c.start) or _CREDENTIAL_AFTER.match(text, c.end):
        return True
    value = text[c.start : c.end]
    if re.search(r"[a-z][ \t]+[A-Z]\.$", value):
        return True  # "Gabby R.": a given name and an initial
    first = re.match(r"\S+[ \t]+", value)
    if first is None or not _name_evidence(_WORD.findall(value[first.end() :])):
        # "WOJCIAK AWARE", "N. BRANNIGAN AWARE": a word no list calls shorthand, then what people do
        return bool(_ACTION_AFTER.match(text, c.end) and not all(shorthand_word(w) for w in _WORD.findall(value)))
    return bool(_PERSON_BEFORE.search(text[max(0, c.start - 25) : c.start + first.end()])
                or _CREDENTIAL_AFTER.search(value) or re.match(r"[A-Z]\.[ \t]*[A-Za-z]", value)
                or _ACTION_AFTER.match(text, c.end))


# Devices named after a person or a maker: "Bair hugger", "Quinton catheter", "LSC QUINTON".
_DEVICE_AFTER = re.compile(r"(?i)[ \t]+(?:cath(?:eter)?s?|hugger|warmer|blanket|mattress|bed|boots?|stockings|pump|"
                           r"drain|tube|port|cordis|introducer|sheath)\b")
_LINE_SITE = re.compile(r"(?i)(?:[lr][ \t]?(?:sc|ij|fem)|(?:left|right|l|r)[ \t]+(?:subclavian|ij|femoral|fem|groin)|"
                        r"subclavian|femoral)\b")


def _device(text: str, c: Candidate) -> bool:
    """A maker's or an inventor's name as a device: a device noun after it, or a line's
    site before it ("ACCESS: LSC QUINTON")."""
    words = _WORD.findall(text[c.start : c.end])
    if _DEVICE_AFTER.match(text, c.end) and len(words) <= 2:
        return True
    site = None
    for site in _LINE_SITE.finditer(text, max(0, c.start - 14), c.end):
        pass
    return site is not None and (site.end() > c.start or not text[site.end() : c.start].strip()) and \
        len(_WORD.findall(text[max(site.end(), c.start) : c.end])) == 1


# "TRANSFER TO PCU", "to the vicu": a unit of a hospital (an intensive, step-down or
# progressive care unit), not a hospital
_CARE_UNIT = re.compile(r"(?i)[a-z]{0,4}(?:icu|cu|du)")
# "order to transfuse 2 additional", "is to receive 1 bag": a verb and a count, not a ward
_COUNTED_AFTER = re.compile(r"(?i)[ \t]+(?:additional|more|bags?|units?|doses?|amps?|liters?|prbcs?|ffp|plts?|tabs?)\b")


def _cue_place_lookalike(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    if _CARE_UNIT.fullmatch(value):
        return True
    ward = re.fullmatch(r"([A-Za-z]+)([ \t]?)(\d[A-Za-z]?)", value)
    if ward and (_COUNTED_AFTER.match(text, c.end) or (not ward.group(2) and ward.group(1)[-1] in "xXqQ")):
        return True  # "transfuse 2 additional"; "commodex3", "combiventQ4": times and frequencies
    return False


_TITLE_BEFORE = re.compile(rf"(?i)\b{alternation(DOCTOR_FORMS + ('mr', 'mrs', 'ms', 'miss'))}\.?[ \t]*$")


# "... 14:05  qz/vj": who dictated and who typed, ending the note
_DICTATION_PAIR = re.compile(r"(?:^|\s)[A-Za-z]{2,3}/[A-Za-z]{2,3}\Z")


def _dictation_pair(text: str, c: Candidate) -> bool:
    return not text[c.end :].strip() and _DICTATION_PAIR.search(text, 0, c.end) is not None


# "KESTREL RN/ABARA RN", "T. ABARA RN 0700-1900/M. KESTREL RN": the second nurse signing after the first one's
# credential or shift and a slash
_COSIGNER_BEFORE = re.compile(r"(?i)(?:\b(?:rn|lpn|rrt|np|md)|\d{4})/\Z")


def _after_slash(text: str, c: Candidate) -> bool:
    """A piece of a token after a slash ("mcg/kg"), not who dictated or signed second."""
    return text[c.start - 1] == "/" and not _dictation_pair(text, c) and not _COSIGNER_BEFORE.search(text, max(0, c.start - 5), c.start)


def _cue_lookalike(text: str, c: Candidate) -> bool:
    """What the context recognizer took for a name that its context does not make one: a
    piece of a token ("8AM-FOUND PT", "mcg/kg/min, Pt."), or a word no name list holds
    before "pt" (the patient, not a physical therapist: "to intubate pt", "EVAL PT")."""
    if c.start and (text[c.start - 1].isalnum() or _after_slash(text, c)):
        return True
    if c.entity_type == "LOCATION":
        return _cue_place_lookalike(text, c)
    if c.entity_type != "PERSON" or not re.match(r"(?i)[ \t]*,?[ \t]*pt\b", text[c.end : c.end + 6]):
        return False
    if _TITLE_BEFORE.search(text, max(0, c.start - 8), c.start):
        return False  # "Per Dr. Vasquex pt has ...": a title makes the word a name
    lex = load_lexicons()
    return not any(lex.is_name(_key(w)) for w in _WORD.findall(text[c.start : c.end]))


_XRAY = re.compile(r"(?i)\bx-ray")
_PLURAL_ABBREVIATION = re.compile(r"[A-Z]{2,5}['’]?s")


def _known_place(value: str) -> bool:
    """"MD", "Ohio", "Lowell": after a comma, a state, country or town; not "NO DRAINAGE"."""
    value = value.strip(" .")
    return value in _US_STATE_CODES or general_type(value) == "REGION" or fold(value) in load_lexicons().places


def _place_cue(text: str, c: Candidate) -> bool:
    """"from Middle River, MD", "in Lowell", "Oak Grove, Lowell", "S of Lowell", "Lowell MA": a
    preposition of place or a place and a comma before, "of" inside, a state or country after."""
    return bool(_PLACE_PREP_BEFORE.search(text, max(0, c.start - 12), c.start)
                or _PLACE_CUE_BEFORE.search(text, max(0, c.start - 60), c.start)
                or re.search(r"[A-Z][a-z]+[a-z.'’-]*,[ \t]*$", text[max(0, c.start - 30) : c.start])
                or re.search(r"[ \t]of[ \t]", text[c.start : c.end])
                or ((m := _COMMA_NEXT.match(text[c.end : c.end + 45])) and _known_place(m.group(1)))
                or ((m := re.match(r"[ \t]+([A-Z]{2})\b", text[c.end : c.end + 4])) and m.group(1) in _US_STATE_CODES))


def _clinical_words_only(text: str, c: Candidate) -> bool:
    """Rule 5 (see module docstring)."""
    value = text[c.start : c.end]
    words = _WORD.findall(_XRAY.sub("xray", value))
    if not words or c.recognizer == CUE_RECOGNIZER:
        return False
    lex = load_lexicons()
    if c.entity_type == "HEALTHCARE_FACILITY" and _title_case_name_before_head(text, c):
        return False  # "Tidal Drift Physical Therapy": two capitalised words before a facility's own head
    if all(shorthand_word(w) and not lex.is_name(_key(w)) and _key(w) not in lex.places for w in words):
        return True  # "Stoma RN", "Hemodynamics PA 54/18": no name list holds a word of it, whatever stands by
    if _person_context(text, c):
        return False
    if c.entity_type == "PERSON" and _device(text, c):
        return True
    if c.start and text[c.start - 1].isdigit():
        return True  # "10U REG IN AM": the rest of a dose
    if _PLURAL_ABBREVIATION.fullmatch(value):
        return True  # "COs", "PVCs": a plural abbreviation
    if c.entity_type in ("PERSON", "LOCATION") and not _place_cue(text, c):
        # "GIVEN", "COMFORT", "PINK BASE", "LEAK PRIOR": shorthand and English words that are
        # names too (WordNet's), and no title, credential, relation word or action by them
        if all(shorthand_word(w) or _key(w) in lex.ambiguous for w in words):
            return True
    if c.entity_type in ("HEALTHCARE_FACILITY", "ORGANIZATION") and len(words) > 1 and all(
            w[0].isupper() and not w.isupper() for w in words if w.lower() not in STOP_WORDS):
        return False  # "Riverside Apothecary": a name written as one, in a cased note
    if c.entity_type in ("HEALTHCARE_FACILITY", "LOCATION") and _named_before_head(text, c):
        return False
    return all(shorthand_word(w) for w in words) or not _name_evidence(words)


def _facility_head(text: str, start: int, end: int) -> tuple[re.Match[str], bool] | None:
    """The first head word of a facility in ``text[start:end]``: the shorthand ones ("HOSP",
    "MED CTR", "MEM") or one of ``facility_words.txt`` and ``facility_short_heads.txt``
    ("VNA", "Skilled Nursing", "Dialysis"); and whether it is a short head, a word that ends
    ordinary phrases too ("Rehab", "Cardiology")."""
    heads, _, short = _heads()
    found = [m for m in (_FACILITY_HEAD.search(text, start, end), heads.search(text, start, end)) if m]
    if not found:
        return None
    head = min(found, key=lambda m: m.start())
    return head, head.re is heads and _norm(head.group()) in short


def _title_case_name_before_head(text: str, c: Candidate) -> bool:
    """In a cased note, two or more capitalised words, none a stop word or one that only
    describes a facility, right before a head of ``facility_words.txt`` that is no short head."""
    found = _facility_head(text, c.start, c.end)
    if found is None or found[1]:
        return False
    before = text[c.start : found[0].start()].split()
    return len(before) >= 2 and all(w[0].isupper() and not w.isupper() and w.isalpha() and fold(w) not in STOP_WORDS
                                    and not _is_generic(w) and fold(w) not in load_lexicons().common
                                    and not clinical_word(w) for w in before)  # not "Continue Chest Physical Therapy"


def _named_before_head(text: str, c: Candidate) -> bool:
    """"UNION HOSP.", "MILLBROOK VNA", "ELM RIDGE SKILLED NURSING", "KELLER COMMUNITY HOSP": the
    word before a facility's head, past the words that only describe one ("COMMUNITY",
    "REGIONAL"), is a name word: not frequent, not clinical, not an abbreviation; before a
    short head ("Rehab", "Dialysis") not an English or clinical word at all.  "CARDIAC REHAB",
    "HOME CARE", "RESPIRATORY CARE", "NEEDS SKILLED NURSING", "INPT REHAB" name no place."""
    found = _facility_head(text, c.start, c.end + 12)
    if found is None:
        return False
    head, short = found
    before = _WORD.findall(text[c.start : head.start()])
    described = False
    while before and _is_generic(before[-1]):
        before.pop()  # "KELLER COMMUNITY HOSP": the name is before the words that describe it
        described = True
    if not before or len(before[-1]) < 2:
        return False
    word, key = before[-1], fold(before[-1])
    if not shorthand_word(word) and word.upper() not in _ABBREVIATIONS:
        return True
    common = load_lexicons().common
    # before a short head, a word of a sentence names a place only with a word that describes one
    # between ("HARTWELL PEDIATRIC ENDO", not "SLED DIALYSIS")
    return (not short or described) and key not in common and key not in _clinical_vocabulary() \
        and key not in _shorthand_terms() and word.upper() not in _ABBREVIATIONS and not _inflected_word(key) \
        and not any(key.endswith(s) and key[: -len(s)] in common for s in _SUFFIXES)  # "NEEDS", a surname too


# -- 1. run-on sentences -----------------------------------------------------------------
_HOST_LABELS = re.compile(r"[.]+")


def _run_on_sentence(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    if value.startswith(".") or (c.start and text[c.start - 1] == "."):
        return True  # "..PT", "...family": a host never opens with a dot
    if re.match(r"\d+\.\d", value) and "://" not in value:
        return True  # "0.3MG.KG/HR": a decimal dose
    if "://" in value or "@" in value or value.lower().startswith("www") or "/" in value.split(".", 1)[-1].strip("."):
        return False
    labels = [p for p in _HOST_LABELS.split(value) if p]
    if len(labels) < 2:
        return False
    # a host is written in lower case; "limits.No", "NECESSARY.PT" are two sentences
    if ".." in value or is_shorthand(text) or (any(ch.isupper() for ch in labels[-1]) and all(plain_word(p) for p in labels)):
        return True
    # "chains.team notified", "monitoring.no other": two words, the sentence running on in lower case
    lex = load_lexicons()
    return (len(labels) == 2 and labels[-1].islower() and labels[-1] not in _GENERIC_TLDS
            and all(fold(p) in lex.dictionary or shorthand_word(p) for p in labels)
            and _LOWER_WORD_NEXT.match(text, c.end) is not None)


# the sentence runs on: a word in lower case next, or a placeholder standing for a word (a payload
# the leak guard reads again: "in the street.pt <PERSON_1> says")
_LOWER_WORD_NEXT = re.compile(r"[ \t]+(?:[a-z]|<[A-Z][A-Z0-9_]*_\d+>)")


# Top-level domains that are also words or read as such; a host ending in one is a host.
_GENERIC_TLDS = frozenset("com org net edu gov mil int info biz io co us uk ca de fr eu me app dev ai tv ly".split())


# -- 2. doses and rates read as addresses ------------------------------------------------
_HOUSE_NUMBER_STREET = re.compile(
    r"\d{1,6}[A-Za-z]?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:[A-Za-z][\w'’.-]*[ \t]+){1,4}?"
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|circle|parkway|"
    r"highway|hwy)\b\.?",
    re.IGNORECASE,
)


def _dose_not_address(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    if _IN_PLACE.search(text, max(0, c.start - 8), c.start + 6):
        return True  # "ngt in place and clamped", "able to place a second iv": the word, not "Place Vendome"
    if re.search(r"\d[ \t]*[-/]$", text[max(0, c.start - 3) : c.start]) or _DOSE_NUMBER.match(value):
        return True  # "bp 82-98/45-50 via r rad aline": the end of a range; "12U REG INSULIN SQ", "170S SYST": a dose
    street = _HOUSE_NUMBER_STREET.match(value)
    if street and not _street_name_clinical(street.group()):
        return False  # "2437 Main St", "7401 MARKET ST"
    if _ON_BEFORE.search(text, max(0, c.start - 4), c.start) and (street := _NAMED_STREET.fullmatch(value)) \
            and not any(_street_name_clinical(f"0 {w} st") or fold(w) in _clinical_vocabulary() or fold(w) in load_lexicons().common
                        for w in street.group(1).split()):
        return False  # "FOUND DOWN ON TANNERY ST": a street named after "on", not "ON ROOM AIR ST", "ON NEO ST"
    if _PO_BOX.search(value):
        return False
    lex = load_lexicons()
    words = [w for w in _WORD.findall(value) if not w[0].isdigit()]
    return all(shorthand_word(w) or (len(w) <= 4 and not lex.is_name(_key(w)) and _key(w) not in lex.places)
               for w in words)


_ON_BEFORE = re.compile(r"(?i)\bon[ \t]+$")
_NAMED_STREET = re.compile(r"(?i)((?:[a-z][\w'’-]*[ \t]+){1,2})(?:street|st|avenue|ave|road)\.?")
_IN_PLACE = re.compile(r"(?i)\b(?:in|to|back)[ \t]+place[ \t]")
_DOSE_NUMBER = re.compile(r"(?i)\d+(?:u|mg|mcg|cc|ml|meq|units?|['’]?s)\b")


def _street_name_clinical(street: str) -> bool:
    """"1 TO ST", "2 HR ST", "4 EXTREMITIES SPONTANEOUSLY. HEAD CT": the words between the
    number and the street type hold a stop word, a clinical abbreviation or a sentence's end."""
    middle = street.split()[1:-1]
    return any(w.lower() in STOP_WORDS or w.upper() in _ABBREVIATIONS or fold(w.strip(".,")) in _shorthand_terms()
               or (w.endswith(".") and len(w) > 3) for w in middle)


_PO_BOX = re.compile(r"(?i)\b(?:p\.?\s?o\.?\s*box|post\s+office\s+box)\s+\d")


# -- 3. lab strings and ranges read as phone numbers -----------------------------------
_VITAL_BEFORE = re.compile(
    r"(?i)\b(?:tv|vt|volumes?|vols?|bp|sbp|dbp|map|hr|rr|cvp|pad|pap|pas|pcwp|peep|sats?|glucose|bs|fs|u/?o|uop|"
    r"temp|tmax|co|ci|svr|ptt|inr|k|abg|ranging|range|between|from|febrile\s+at)[ \t:=-]*(?:\S+[ \t]+){0,2}$"
)


def vital_before(text: str, start: int) -> bool:
    """A vital sign or a setting is named right before ``start``: "TV 250-1000", "BP 110-130"."""
    return bool(_VITAL_BEFORE.search(text, max(0, start - 40), start))


def range_or_lab_string(text: str, start: int, end: int) -> bool:
    """``text[start:end]``, shaped like a phone number, is a range of values or a lab string
    in a shorthand note ("TV 900-1500", "7.38-33-169", "0600-281")."""
    value = text[start:end]
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
        return not _PHONE_CONTEXT.search(text, max(0, start - 30), start)  # "TV 900-1500", "IS 750-1000"
    return False


_US_PHONE = re.compile(r"(?:\+?1[ .-]?)?\(?\d{3}\)?[ ./-]?\d{3}[ ./-]\d{4}(?:[ \t]?(?i:x|ext\.?)[ \t]?\d{1,5})?")  # "x 2207"
_PHONE_CONTEXT = re.compile(r"(?i)\b(?:phone|tel|call|called|cell|pager|beeper|pg|fax|number|contact|reach|#)\b|#")


# -- 4. settings, fractions, ranges, decimals and times read as dates ---------------------
_SETTING_BEFORE = re.compile(
    r"(?i)\b(?:ps|psv|ips|cpap|simv|imv|ac|a/c|peep|vent|settings?|flowby|flow-by|bipap|mode|on|to|at|from)[ \t:/-]*$"
)
_FRACTION_OF = re.compile(r"(?i)[ \t]*(?:up|way|str(?:ength)?|ns|nss|amp|amps|hr|hrs|hour|hours|bottles?|cultures?|"
                          r"bld|blood|of|dose|bilat|ns\b|nph|tab|tabs|liters?)\b")
_DATE_CUE_BEFORE = re.compile(r"(?i)\b(?:on|since|dated|date|until|till|by|from|due|in|s/p|of|post|after|before)[ \t]+$")
_NUMERIC_RANGE = re.compile(r"~?\d{1,4}(?:\.\d+)?(?:'?s)?[ \t]*(?:-|to)[ \t]*\d{1,4}(?:\.\d+)?(?:'?s|[a-z]{1,5}(?:/[a-z]{1,3})?)?-?",
                            re.IGNORECASE)
_VENT_WORD = re.compile(r"(?i)\b(?:ps|psv|ips|cpap|simv|imv|peep|vent|settings?|flowby|bipap|fio2|extubat\w*|wean\w*)\b")
_MONTH_WORD = re.compile(rf"(?i)\b{alternation(MONTH_STEMS)}[a-z]*\b")
# a month and day (4/30, 4-30-97), or a year of four digits
_DAY_SHAPE = re.compile(r"(?<![\d.])(?:0?[1-9]|1[0-2])[/-](?:0?[1-9]|[12]\d|3[01])(?![\d.])|(?<!\d)(?:19|20)\d\d(?!\d)|"
                        r"(?<![\d.])(?:0?[1-9]|1[0-2])/\d\d(?!\d)")


# "s/p tPA 12/12 @ 1520": a clock time after a month/day makes it a day (a strength or a score has none)
_CLOCK_AFTER = re.compile(r"[ \t]*(?:@|at)[ \t]*[0-2]\d:?[0-5]\d\b")


def setting_not_date(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end].strip()
    before = text[max(0, c.start - 20) : c.start]
    chain = re.fullmatch(r"(\d{1,3})/(\d{1,3})(?:/(\d{1,3}))?(%?)", value)
    after = text[c.end : c.end + 12]
    if _MODAL_MAY.fullmatch(value) and _BARE_VERB_AFTER.match(text, c.end) and not _DATE_CUE_BEFORE.search(before):
        return True  # "May need further access": the verb, not the month
    if chain:
        a, b = int(chain.group(1)), int(chain.group(2))
        if chain.group(3) and (after.startswith("%") or chain.group(4)):
            return True  # "12/5/40%": pressure support, PEEP, oxygen
        if _VENT_MODE_BEFORE.search(text, max(0, c.start - 30), c.start) or _OXYGEN_AFTER.match(after) \
                or _VENT_MODE_AFTER.match(after):
            return True  # "simv 900 10/25 50%", "FROM 5/5 PSV": a rate and volume, pressures
        if a <= 12 and day_of_an_event(text, c.start, b):
            return False  # "PEG 9/10", "TRACHED 9/9": the day it was done
        if b <= 4 and a < b and not _DATE_CUE_BEFORE.search(before):
            return True  # "1/2 NS", "1/3 up", "3/4 str"
        if a <= b and b <= 4 and not (a == b and _DATE_CUE_BEFORE.search(before)) \
                or a <= b <= 12 and _FRACTION_OF.match(after) and not (b > 4 and _DATE_CUE_BEFORE.search(before)):
            return True  # "4/4 bottles", "in 1/4 str", "2/3 of"; not "post 4/4", "from 8/29 cultures" or "from 8/10 cultures"
        near = text[max(0, c.start - 60) : c.start]
        if a == b and not (_DATE_CUE_BEFORE.search(before) and not _VENT_WORD.search(near)) \
                and not (b > 5 and _CLOCK_AFTER.match(after)) or (
                b == 10 and a <= 10 and not _DATE_CUE_BEFORE.search(before) and not _day_before_or(before, a, b)):
            return True  # "CPAP 5/5", "EXCELLENT 5/5 ABG"; "CP 5/10": a rating
        if b <= 20 and _SETTING_BEFORE.search(before) and re.search(r"(?i)\b(?:ps|psv|ips|cpap|simv|imv|peep|vent|"
                                                                   r"settings?|flowby|bipap)\b", text[max(0, c.start - 40) : c.start]):
            return True  # "PS 10/5", "CPAP 5/5", "flowby 6/2"
        return False
    if _NUMERIC_RANGE.fullmatch(value) and (not _DATE_CUE_BEFORE.search(before) or re.search(r"\d'?s$", value, re.I)):
        return True  # "RR 14-20", "20-30cc", "10 TO 7.5"; "ranging from 11-30s": a plural is no date
    # a frequency and what it counts ("q1-2hr", "5-7cc/q1-3hr", "6-8 qd") and amounts ("10-15cc") go first
    if _FREQUENCY.search(value):
        value = _DASH_RANGE.sub(" ", _FREQUENCY.sub(" ", value))
    value = _AMOUNT.sub(" ", value)
    # what is left must hold a date: a month, a month and day, a year, a day of the month
    return not (_MONTH_WORD.search(value) or _DAY_SHAPE.search(value) or holds_day_of_month(text, c.start, c.end))


_DAY_BEFORE_OR = re.compile(r"(?i)(?<![\d/.])(\d{1,2})/(\d{1,2})[ \t]*(?:or|and|to|-)[ \t]*$")


def _day_before_or(before: str, a: int, b: int) -> bool:
    """"HD 7/8 or 7/10", "OFF 6/9-6/10": a day of the same month, a day or three before, goes first."""
    m = _DAY_BEFORE_OR.search(before)
    return bool(m and int(m.group(1)) == a and 5 < int(m.group(2)) < b <= int(m.group(2)) + 3)


_MODAL_MAY = re.compile(r"(?i)may")
_BARE_VERB_AFTER = re.compile(r"[ \t]+(?:need|be|have|require|go|get|try|want|benefit|use|take|start|restart|resume|"
                              r"continue|come|return|attempt|consider|do|cause|help|respond|tolerate|progress)\b")
_VENT_MODE_BEFORE = re.compile(r"(?i)\b(?:simv|imv|a/?c|cpap|psv?|prvc|vc|bipap|vent(?:ed)?)(?:[ \t]+[\dx./%]+){0,2}[ \t:]*$")


def vent_setting_before(text: str, start: int) -> bool:
    """A ventilator mode right before ``start`` ("a/c 600-12", "simv 900 10/25"): what follows is
    its settings."""
    return _VENT_MODE_BEFORE.search(text, max(0, start - 30), start) is not None


_VENT_MODE_AFTER = re.compile(r"(?i)[ \t]*(?:psv?|cpap|peep|bipap|imv|simv|ips)\b")
_OXYGEN_AFTER = re.compile(r"[ \t]+\d{2,3}[ \t]?%")
_FREQUENCY = re.compile(r"(?i)(?<![a-z])q\.?\d+(?:-\d+)?(?:h|hr|hrs|hours?|min|d)?\b|\bq(?:d|h|hs|od|am|pm|shift)\b|"
                        r"\b(?:bid|tid|qid|prn)\b")
_DASH_RANGE = re.compile(r"(?<![\d/])\d{1,4}(?:\.\d+)?-\d{1,4}(?:\.\d+)?(?![\d/])")
_AMOUNT = re.compile(r"(?i)(?<![\d/])\d{1,4}(?:\.\d+)?(?:-\d{1,4}(?:\.\d+)?)?[ \t]?(?:cc|ml|mls|mg|mcg|units?|meq|gms?|kg|l)"
                     r"(?:/[a-z\d-]*)?(?![a-z])")


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
        if kind == "STREET_ADDRESS" and text.startswith("place", c.start) and _IN_PLACE.search(text, max(0, c.start - 8), c.start + 6):
            continue  # in lower case, "in place" in any note
        if shorthand:
            if kind == "STREET_ADDRESS" and _dose_not_address(text, c):
                continue
            if kind == "PHONE_NUMBER" and range_or_lab_string(text, c.start, c.end):
                continue
            if kind == "DATE_TIME" and setting_not_date(text, c):
                continue
            if kind in ("DATE_TIME", "DATE_YEAR") and _clock_time(text, c):
                continue
            if kind in _CODE_TYPES and _value_not_code(text, c):
                continue
            if kind in _NAME_TYPES and _clinical_words_only(text, c):
                continue
        if c.recognizer == CUE_RECOGNIZER and _cue_lookalike(text, c):
            continue
        kept.append(c)
    return kept
