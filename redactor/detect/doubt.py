"""The doubt pass: what *might* be sensitive in text that is about to leave the machine.

Recognizers miss things: a rare name spaCy has never seen, an account number
with no label next to it.  Before text goes to the cloud we therefore also flag,
at a low score, what a careful human reviewer would stop at:

- a capitalised word that is not a common English word (``common_words.txt``,
  ``clinical_words.txt``, the medical vocabulary of ICD-10-CM and MeSH in
  ``medical_words.txt`` and the one-word drug and condition terms; each part of a
  hyphenated word is looked up alone).  A known word behind a medical prefix
  ("subclinical"), a British spelling ("haemoglobin") and a disease eponym without its
  apostrophe ("crohns") are known words too, and so, in lower case, is a word one letter
  away from a known word ("diarhea"); none of these ever makes a name or a place known;
- two capitalised words in a row that are both known given names or surnames
  ("Teresa Becker"), even when each is also a common word;
- a capitalised given name inside a sentence ("leave me Victoria"), unless the
  name is also an English word ("Page", "Walker");
- any word right after an honorific ("mr. elliott"; "Ms" only before a capitalised word,
  since "MS" is a disease and "ms" milliseconds) or a naming cue ("her maiden name
  is Key", "a man called Walker"), and a given name used as a speaker label at the
  start of a line ("Destiny: Remember me?", not "Kitchen: ...");
- a known name, even one that is also an English word, that is joined to a person
  finding ("Dale and White", "Brad L Key"), listed in lower case with a lower-case name
  ("kónya, becker and vasquez"), that opens a sentence followed by what a person does
  ("Walker began writing", "selma is from"), that follows what one does to a person
  ("had given Mason his keys"), or, for a given name, that a recognizer typed as a
  place (what leaves treats it as a person: "Alma");
- a lower-case word that is a known name and not a common word ("olga krylova");
- an upper-case word longer than five letters that is not a common word and does not
  read as an acronym ("USPSTF", "DAPA-HF", "SSRIs"), and a given name of five letters or
  more in capitals inside a sentence ("ready for DANIELLE");
- a number of five or more digits (groups allowed, "2022-08-17 23:40" is one) that is
  not an amount nor a procedure code behind a billing cue ("CPT 99213", "billed with
  99214"), and any word with five or more digits in it;
- in text typed entirely in lower case, any word that is not a common word, and
  any given name.

In a clinical note written in shorthand (``shorthand.is_shorthand``: vitals, drips,
lines), the shorthand of ``clinical_shorthand.txt`` and the clinical abbreviations are
known words too, with their inflections ("weaned", "sxn'd", "boluses"), slips of the
pen in capitals ("EXTREMETIES"), two slips in a long word (``slips.py``: "vancomicine") and the
forms of ``word_forms.py`` when no name list holds the word ("anuric", "TYLENOL650MG", "AVpaced",
"HEMODY", "svr", "tosuction"); a rising range of values
("98-100", "3.22-4.25"), a shift of 24-hour clock times ("1900-0700") and the lab strings
the phone rules set apart ("7.38-33-169", "TV 250-1000") are not identifiers; "called" before
a nursing word is phoned ("MD CALLED NEURO").  Names keep their
context: a title, a relation word or a credential still makes any word a doubt.

These findings carry the type ``UNVERIFIED`` and a score of 0.3, which is below
every policy's ``min_score``: the policy's ``low_confidence`` action decides what
happens to them (the default pseudonymises them; ``strict`` keeps the document
local).  They are never reported by ``Scanner.scan`` itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from collections.abc import Callable

from spacy.lang.en.stop_words import STOP_WORDS

from .categories import DOUBT_TYPE, PII, QUASI
from .findings import Finding
from .names.lexicons import fold, load_lexicons
from .names.runs import typed_in_lower_case
from .shorthand import (_drug_words, _shorthand_terms, clinical_word, is_shorthand, person_word_before,
                        range_or_lab_string, shorthand_word, vent_setting_before, vital_before)
from .shorthand_names import _KIN_WORD
from .slips import SlipIndex
from .vocabulary import COMMON_HONORIFICS, alternation
from .word_forms import abbreviation_first, clipped, derived, glued, misspelt, run_together, vowelless
from .wordsets import Words, words_for_doubts

DOUBT_SCORE = 0.3

_PARTS = re.compile(r"[-'’]")
_WORD = re.compile(r"(?<![\w@./-])[^\W\d_][\w'’-]*(?![\w@])")
_NUMBER = re.compile(r"(?<![\w.,$€£-])(?:\d[\s.:-]?){4,}\d(?![\w])")  # ":" too: "2022-08-17 23:40" is one value
_AMOUNT_BEFORE = re.compile(r"[$€£¥]\s*$|\b(?:USD|EUR|GBP)\s*$")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'’-]*)")
# "ms" is multiple sclerosis too: in lower case it is a title only with its full stop
_NOT_MS = alternation(h for h in COMMON_HONORIFICS if h != "ms")
_HONORIFIC = re.compile(rf"(?<![^\W_])(?:(?i:{_NOT_MS})\.?|(Ms)\.?|(ms)\.)\s+$")
_HONORIFIC_ANYWHERE = re.compile(rf"(?<![^\W_])(?i:{alternation(COMMON_HONORIFICS)})\.?\s+")
# "MS" in clinical text is multiple sclerosis or morphine sulfate ("MS patients"), and
# "ms" after a number is milliseconds: only "Ms"/"Ms." before a capitalised word, or
# "ms." after no number, is a title.
_DIGIT_BEFORE = re.compile(r"\d\s*$")
# A five-digit number that a billing cue stands near is a procedure code (CPT/HCPCS:
# "CPT 99213", "billed with 99214", "add-on 99417"), not an identifier.  "code" alone
# is no cue (an access code, a ZIP code), and a state before the number ("MA 02139")
# keeps it a doubt.
_CODE_CUE = re.compile(
    r"(?i)\b(?:cpt|hcpcs|bill(?:s|ed|ing|able)?|modifiers?|add-on|e/m|rvus?|reimburse(?:d|ment)?|"
    r"(?:procedure|base|visit|e/m|billing)[ \t]+codes?)\b"
)
_PROCEDURE_CODE = re.compile(r"\d{5}")
_STATE_BEFORE = re.compile(r"\b[A-Z]{2},?[ \t]+$")
_SPEAKER = re.compile(r"[ \t]*:")  # "Destiny: Remember me?" — a transcript speaker label
_PREV_WORD = re.compile(r"([^\W\d_][\w'’-]*)[ \t]+$")
# "her maiden name is Key", "a man called Walker": the next word is a name whatever it also means
_NAME_CUE = re.compile(r"(?<![^\W_])(?:name\s+is|named|called|surname|n[ée]e)[ \t]+", re.IGNORECASE)
_TITLES = frozenset(COMMON_HONORIFICS) | {"sir", "dame", "the"}
_CALLED = re.compile(r"(?i)\bcalled[ \t]+$")  # in a nursing note "called" is phoned: "MD CALLED NEURO", "CALLED OUT"
# "Dale and White", "Brad L Key": a capitalised name joined to a person (not by a comma:
# "Priya Raman, People Operations" is a title); "kónya, becker and vasquez": a list
_JOIN_UPPER = re.compile(r"(?:[ \t]*(?:&|\band\b|\bor\b)[ \t]*|[ \t]+[A-Z]\.?[ \t]+|[ \t]+)(?=[^\W\d_])")
_JOIN_LIST = re.compile(r"[ \t]*(?:,|&|\band\b|\bor\b)[ \t]*(?=[^\W\d_])")
_WORD_END = re.compile(r"([^\W\d_][\w'’-]*)$")
# What one does to a person, right before naming them mid-sentence ("had given Alma his address")
_AFTER_VERB_OF_PERSONS = re.compile(
    r"\b(?:given|gave|give|told|tell|asked|ask|met|meet|saw|thanked|invited|helped|paid|sent|emailed|texted|"
    r"phoned|called|visited|married|hired|introduced|contacted|loves|loved|knows|knew|hugged|kissed)[ \t]+(?=[A-Z])"
)
# What a person does right after being named at the start of a sentence: "Walker began
# writing", "Kevin had given", "selma is from".  A place or a thing rarely opens a sentence so.
_PERSON_VERBS = frozenset(
    "is was has had began begins said says told asked gave gives wrote writes went goes became "
    "started joined left lives lived works worked died married met called replied answered "
    "will would could should can did does".split()
)


def _name_pair(text: str, m: re.Match[str], names: frozenset[str]) -> bool:
    """This word and its neighbour are both capitalised known names."""
    if fold(m.group()) not in names:
        return False
    after = _NEXT_WORD.match(text, m.end())
    before = _PREV_WORD.search(text, max(0, m.start() - 40), m.start())
    return any(n is not None and n.group(1)[:1].isupper() and fold(n.group(1)) in names for n in (after, before))


# Prefixes that make a medical word from a known one: "subclinical", "hyperpigmentation".
_PREFIXES = (
    "anti", "pre", "post", "sub", "supra", "super", "hyper", "hypo", "micro", "macro", "non", "intra", "inter",
    "trans", "peri", "para", "pseudo", "poly", "multi", "semi", "auto", "endo", "epi", "extra", "ultra", "dys",
    "neuro", "cardio", "gastro", "immuno", "re", "un", "over", "under", "co", "de",
)
_GCS = re.compile(r"E[1-4]V[1-5T]M[1-6]")
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")  # "SSRIs", "LFTs", "NSAIDs"
_VOWELS = frozenset("AEIOUY")


def _known(part: str, words: Words) -> bool:
    """An ordinary word, a known word behind a medical prefix, or a disease eponym
    with its apostrophe dropped ("crohns").  A name or a place is never derived."""
    if part in words.common or _british(part, words.common):
        return True
    if len(part) < 7 or part in words.names or part in words.places:
        return part.endswith("s") and part[:-1] in words.diseases
    return (
        any(part.startswith(p) and part[len(p) :] in words.common and len(part) - len(p) >= 4 for p in _PREFIXES)
        or (part.endswith("s") and part[:-1] in words.diseases)
        or any(b in words.common for b in _stems(part))
    )


def _stems(word: str) -> list[str]:
    """What an inflected word may come from: "differentiating" -> "differentiate"."""
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            return [base, base + "e", base[:-1]] if len(base) > 2 and base[-1:] == base[-2:-1] else [base, base + "e"]
    return []


_BRITISH = (("is", "iz"), ("ys", "yz"), ("our", "or"), ("tre", "ter"), ("ae", "e"), ("oe", "e"))


def _british(part: str, common: frozenset[str]) -> bool:
    """A British spelling of a known word: "summarise", "haemoglobin", "oedema", "anaemia"."""
    return len(part) >= 6 and any(a in part and part.replace(a, b) in common for a, b in _BRITISH)


def _acronym(word: str, names: frozenset[str]) -> bool:
    """An upper-case word that reads as an acronym, not a name in capitals: its
    hyphenated parts are short ("EMPA-REG", "DAPA-HF"), it has at most one vowel
    ("USPSTF"), or it is a plural ("SSRIs"); never a known name."""
    parts = [p for p in re.split(r"[-'’]", word.rstrip("s") if word[-1:] == "s" else word) if p]
    # "ICD-10", "COVID-19" are names of things; "EHC-1192" is a code
    if any(not p.isalpha() and not (p.isdigit() and len(p) <= 2) for p in parts) or any(fold(p) in names for p in parts):
        return False
    if word[-1:] == "s" or (len(parts) > 1 and all(len(p) <= 4 for p in parts)):
        return True
    return sum(ch in _VOWELS for ch in word) <= 1


def _after_title(text: str, start: int, word: str) -> bool:
    h = _HONORIFIC.search(text, max(0, start - 6), start)
    if h is None:
        return False
    if h.group(1):  # "Ms Kowalski", not "Ms well known"
        return word[:1].isupper()
    if h.group(2):  # "ms. kowalski", not "480 ms. Then"
        return not _DIGIT_BEFORE.search(text, max(0, h.start() - 3), h.start())
    return True


_INITIAL_BEFORE = re.compile(r"(?<![\w.'’-])[^\W\d_]\.?[ \t]+$")
_RANGE = re.compile(r"(\d{2,3})[ \t]*[-–][ \t]*(\d{2,3})")
_ID_CUE = re.compile(r"(?i)(?:\b(?:id|no|num|number|acct|account|mrn|member|policy|claim|case|ref)\b|#)[ \t.:#]*$")


def _range(value: str) -> bool:
    """ "130-139", "400-600": two numbers of as many digits, rising — a range of values.
    A phone number ("555-0134") or an ID ("123-45") does not have that shape."""
    m = _RANGE.fullmatch(value)
    return bool(m) and len(m.group(1)) == len(m.group(2)) and int(m.group(1)) < int(m.group(2))


_VALUES = re.compile(r"(\d{1,4}(?:\.\d{1,3})?)[ \t]*[-–][ \t]*(\d{1,4}(?:\.\d{1,3})?)")
_CLOCK = re.compile(r"(?:[01]\d|2[0-3])(?:00|15|30|45)")


def _shorthand_range(value: str) -> bool:
    """In a shorthand note: a rising range of values of two or three digits or with
    decimals ("98-100", "85-101", "3.22-4.25"), or a shift of 24-hour clock times on the
    quarter hour ("1900-0700").  A phone number (3 then 4 digits, "555-0134") is neither."""
    m = _VALUES.fullmatch(value)
    if m is None:
        return False
    a, b = m.group(1), m.group(2)
    if _CLOCK.fullmatch(a) and _CLOCK.fullmatch(b):
        return True
    if "." in a or "." in b:
        return float(a) < float(b)
    return len(a) in (2, 3) and len(b) in (2, 3) and int(a) < int(b)


_ROLES = frozenset("md mds dr drs np rn pa ho attending resident fellow intern nurse team staff".split())


_FUNCTION_WORDS = frozenset("a an the and or of to for in on at by with from as is was be".split())


def _no_name(key: str, words: Words, after_role: bool) -> bool:
    """After a role or a relation word, a role ("SPOKE WITH HO"), a function word, care
    ("PA LINE"; after a relation word or "spoke with", only care that no name list holds:
    "WIFE THRUSH" is a name) or an ordinary word that is no given name ("SON STATES", "dtr
    aware"); "WIFE HOPE" and "HO BRANNIGAN" are names ("DR BARKER" is one by its title).
    ``after_role``: the word before is a role, which is often care itself ("PA" the artery)."""
    care = clinical_word(key) and (after_role or key not in words.names)
    return (re.sub(r"['’]?s$", "", key) in _ROLES or key in STOP_WORDS or care
            or (key in words.common and key not in words.first) or _KIN_WORD.fullmatch(key) is not None
            or any(ch.isdigit() for ch in key))  # "GIVEN MOM X1": no name has a digit


_ROLE_BEFORE = re.compile(rf"(?i)\b(?:{'|'.join(sorted(_ROLES))})[.'’s]*[ \t]*[:,(-]?[ \t]*\Z")


def _after_role(text: str, start: int) -> bool:
    return _ROLE_BEFORE.search(text, max(0, start - 20), start) is not None


@lru_cache(maxsize=1)
def _clinical_sorted() -> tuple[str, ...]:
    """The clinical and medical words (not the general English ones), sorted for prefix look-ups."""
    lex = load_lexicons()
    return tuple(sorted(words_for_doubts().common - lex.dictionary - lex.common))


def _nursing_word(word: str, key: str, words: Words) -> bool:
    """In a shorthand note: shorthand, an abbreviation or a clinical word, also inflected
    ("weaned", "sxn'd", "boluses"), or a slip of the pen of one ("EXTREMETIES"); and, no name
    or place itself, one of the forms of ``word_forms.py`` ("anuric", "TYLENOL650MG", "HEMODY") or
    two slips from a word that is none ("vancomicine"; a town is none either)."""
    if _known(key, words) or shorthand_word(word):
        return True
    key = re.sub(r"['’](?:s|d)$", "", key)
    if any(shorthand_word(b) for b in _stems(key) if len(b) > 2) or misspelt(
            key, words, lambda w: w in words.common or clinical_word(w), extra_from=6):  # one pass over the slips
        return True  # a note is typed fast: "foleey", "vomitt" have a letter too many
    if not key.isalpha():  # "TYLENOL650MG", "AC700X10"
        return glued(word, lambda c: _nursing_word(c, fold(c), words))
    known = lambda w: _known(w, words) or clinical_word(w)  # noqa: E731
    return key not in words.names and key not in words.places and (
        derived(key, known) or clipped(key, _clinical_sorted()) or vowelless(key) or run_together(key, known)
        or abbreviation_first(word, shorthand_word, lambda w: _nursing_word(w, fold(w), words))
        or (key not in load_lexicons().towns and _slips().near(key)))


@lru_cache(maxsize=1)
def _slips() -> SlipIndex:
    """The clinical words, drugs and shorthand that are no name nor place, for a long word with
    two slips ("vancomicine").  Not ordinary English: a surname is too often two slips from one
    ("Brandsen", "grandson"), and a town from a city ("rockport", "rockford")."""
    words, lex = words_for_doubts(), load_lexicons()
    clinical = set(_clinical_sorted()) | _shorthand_terms() | _drug_words()
    return SlipIndex(clinical - words.names - words.places - lex.towns)


_LOCAL_PHONE = re.compile(r"\d{3}[ .-]\d{4}")


def _lab_values(text: str, m: re.Match[str]) -> bool:
    """In a shorthand note: a range of values or a lab string ("7.38-33-169", "0600-281"), as
    ``shorthand.range_or_lab_string`` tells them from phone numbers; a local number's shape
    ("250-1000") only behind a vital sign ("TV 250-1000"), as it is the doubt pass's to catch
    a phone number that no recognizer kept."""
    if _LOCAL_PHONE.fullmatch(m.group()) and not vital_before(text, m.start()):
        return False
    return range_or_lab_string(text, m.start(), m.end())


def _procedure_code(text: str, m: re.Match[str]) -> bool:
    """A CPT/HCPCS code behind or before a code cue in the same sentence."""
    if not _PROCEDURE_CODE.fullmatch(m.group()) or _STATE_BEFORE.search(text, max(0, m.start() - 5), m.start()):
        return False
    if _ID_CUE.search(text, max(0, m.start() - 16), m.start()):
        return False  # "my account 48213 was billed twice": an identifier, whatever the billing
    before = re.split(r"[.!?;\n]\s", text[max(0, m.start() - 60) : m.start()])[-1]
    after = re.split(r"[.!?;\n]", text[m.end() : m.end() + 60])[0]
    return bool(_CODE_CUE.search(before) or _CODE_CUE.search(after))


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\r\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?:;\n>"


def _line_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t>-*":
        i -= 1
    return i < 0 or text[i] == "\n"


class _Joins:
    """Where a word joined to a person (or to a lower-case name already doubted) would start,
    worked out forward from the few findings rather than looked back for from every word."""

    def __init__(self, text: str, persons: list[Finding]) -> None:
        self.text = text
        self.upper: set[int] = set()  # "Dale and White", "Brad L Key"
        self.lower: set[int] = set()  # "kónya, becker and vasquez"
        self.person_starts = {f.start for f in persons}
        for f in persons:
            if j := _JOIN_UPPER.match(text, f.end):
                self.upper.add(j.end())
            self.add_listed(f.end)

    def add_listed(self, end: int) -> None:
        """A name ending at ``end``; if it is in lower case, the next listed word is joined to it."""
        prev = _WORD_END.search(self.text, max(0, end - 40), end)
        if prev is not None and prev.group(1).islower() and (j := _JOIN_LIST.match(self.text, end)):
            self.lower.add(j.end())

    def joined(self, m: re.Match[str]) -> bool:
        if m.group()[:1].isupper():
            after = _JOIN_UPPER.match(self.text, m.end())  # "White and Dale"
            return m.start() in self.upper or (after is not None and after.end() in self.person_starts)
        return m.start() in self.lower


def _opens_sentence_as_subject(text: str, m: re.Match[str]) -> bool:
    after = _NEXT_WORD.match(text, m.end())
    if m.group().casefold().endswith("ing"):  # "Reading is fun", "Nursing was short-staffed"
        return False
    return after is not None and after.group(1).casefold() in _PERSON_VERBS and _starts_sentence(text, m.start())


def find_doubts(
    text: str, findings: tuple[Finding, ...] | list[Finding] = (), *, lower: bool | None = None, shorthand: bool | None = None
) -> list[Finding]:
    """Low-score findings for words and numbers no recognizer explained.

    Findings of quasi-identifier types (places, dates) do not shield their words:
    policies usually let those out in clear, so a name mistaken for a place must
    still be doubted.  ``lower``, ``shorthand``: whether ``text`` is read as typed in lower
    case, or as a note in clinical shorthand, when it is a piece of a larger text that
    decides it (default: ``text`` decides).
    """
    words = words_for_doubts()
    names, given, first = words.names, words.given, words.first
    shield = _Coverage(f for f in findings if f.category != QUASI)
    places = _Coverage(f for f in findings if f.entity_type == "LOCATION")
    joins = _Joins(text, [f for f in findings if f.entity_type == "PERSON"])
    all_lower = typed_in_lower_case(text) if lower is None else lower
    shorthand = is_shorthand(text) if shorthand is None else shorthand
    cue_ends = {c.end() for c in _NAME_CUE.finditer(text)}  # one pass, not a look-back per word
    title_ends = {t.end() for t in _HONORIFIC_ANYWHERE.finditer(text)}  # where _after_title can be true
    after_verb = {v.end() for v in _AFTER_VERB_OF_PERSONS.finditer(text)}
    out: list[Finding] = []

    for m in _WORD.finditer(text):
        word = m.group().strip("'’-")
        if shield.covers(m.start(), m.start() + len(word)):
            continue
        # casefold, not fold: "Sörös" is not the English word "soros"
        key = fold(word)
        if word.isalpha():  # most words: no parts, no digits
            uncommon = not _known(word.casefold(), words)
            digits = 0
        else:
            uncommon = any(not _known(p.casefold(), words) for p in _PARTS.split(word) if p)
            if _GCS.fullmatch(word):
                continue  # a Glasgow Coma Scale by components, "E3V4M6"
            digits = sum(ch.isdigit() for ch in word)
        nursing = shorthand and (0 < digits < 3 or all(_nursing_word(p, fold(p), words) for p in _PARTS.split(word) if p))
        # "o2", "x3", "peep10", "mso4": shorthand holds a unit or a count, never an identifier
        uncommon = uncommon and not nursing
        if digits >= 5:
            suspicious = True  # an alphanumeric identifier: "gb42nawi0445..."
        elif not word[:1].isupper():
            # text typed all in lower case hides names and places among ordinary words; a word
            # one typing slip away from a long ordinary word ("diarhea", "amoxicilin") is that word
            folded = key
            uncommon = uncommon and not misspelt(folded, words)  # "diffrence", not a name
            # a two-letter given name that is shorthand in a note is the shorthand ("sr to st", "to ed"),
            # not before a full stop ("st. agnes")
            suspicious = (uncommon and (all_lower or folded in names)) or (all_lower and folded in given and not (
                nursing and len(folded) <= 2 and not text.startswith(".", m.start() + len(word))))
        elif word.isupper() or _ACRONYM_PLURAL.fullmatch(word):
            suspicious = (len(word) > 5 and uncommon and not _acronym(word, names)) or (
                # a given name in capitals inside a sentence: "ready for DANIELLE"; short ones
                # are as often acronyms ("TIA", "ADA")
                len(word) >= 5 and key in given and not _starts_sentence(text, m.start())
            )
        else:
            suspicious = (
                uncommon
                or _name_pair(text, m, names)
                or (key in given and not _starts_sentence(text, m.start()))
            )
        care = shorthand and clinical_word(word)
        if care and not digits:
            # a name that is shorthand too ("MAE" moves all extremities, "AMBER" urine, "REHAB",
            # "foley"): only with a person's context, below
            suspicious = False
        suspicious = (
            suspicious
            or (m.start() in title_ends and _after_title(text, m.start(), word))
            or (key in first and key not in _FUNCTION_WORDS and _SPEAKER.match(text, m.end()) is not None
                and _line_start(text, m.start())  # "Destiny: ...", not "in: 2400cc"
                and not (shorthand and _nursing_word(word, key, words)))  # a note's header: "COMFORT: ..."
            or (m.start() in cue_ends and (word[:1].isupper() or key in names) and key not in _TITLES
                and not (shorthand and (key in _FUNCTION_WORDS  # "CALLED FOR ABG"
                                        or _CALLED.search(text, max(0, m.start() - 8), m.start())
                                        and key not in given and _nursing_word(word, key, words))))  # "CALLED OUT"
            # a note's roles and relations: "HO GRANDE", "WIFE-HOPE", "spoke with tomasz"
            or (shorthand and person_word_before(text, m.start())
                and not _no_name(key, words, _after_role(text, m.start())))
        )
        # names that are also words or places: only with a person's context, and never an
        # abbreviation ("MD" after "Dr. Weiss," is a degree, "ST" a street)
        if not suspicious and not care and len(word) > 2 and not word.isupper() and key in names:
            cased = all_lower or word[:1].isupper()
            suspicious = (
                # a given name typed as a place: what leaves treats it as a person ("Alma",
                # not "Denver", which the name lexicon also lists but is a place first)
                (cased and key in given and places.covers(m.start(), m.start() + len(word)))
                # in a list with a person or a doubted name, lower case too: "kónya, becker and vasquez"
                or joins.joined(m)
                or (cased and _opens_sentence_as_subject(text, m))
                # after what one does to a person: "had given Mason his keys"
                or m.start() in after_verb
            )
        if suspicious:
            # "R. OKONKWO", "m ferris": the initial before a doubted name goes with it
            initial = _INITIAL_BEFORE.search(text, max(0, m.start() - 4), m.start())
            start = initial.start() if initial and (initial.group().isupper() == word[:1].isupper()) else m.start()
            out.append(Finding(DOUBT_TYPE, PII, start, m.start() + len(word), DOUBT_SCORE, "doubt"))
            if key in names:
                joins.add_listed(m.start() + len(word))
    for m in _NUMBER.finditer(text):
        if shield.covers(m.start(), m.end()) or _AMOUNT_BEFORE.search(text, max(0, m.start() - 5), m.start()):
            continue
        if _procedure_code(text, m) or (
            (_range(m.group()) or (shorthand and (_shorthand_range(m.group()) or _lab_values(text, m)
                                                  or vent_setting_before(text, m.start()))))
            and not _ID_CUE.search(text, max(0, m.start() - 16), m.start())
        ):
            continue
        out.append(Finding(DOUBT_TYPE, PII, m.start(), m.end(), DOUBT_SCORE, "doubt"))
    return out


class _Coverage:
    """Is [start, end) inside one of the findings?  Binary search over sorted starts."""

    def __init__(self, findings) -> None:
        spans = sorted((f.start, f.end) for f in findings)
        self.starts = [a for a, _ in spans]
        self.max_end: list[int] = []  # running max of ends, so one lookup answers
        best = -1
        for _, b in spans:
            best = max(best, b)
            self.max_end.append(best)

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.max_end[i] >= end
