"""Healthcare facility names: "Mercy Valley Hospital", "Our Lady of Lourdes Regional
Medical Center", "Children's Hospital of Philadelphia".

In de-identification practice (i2b2/n2c2 LOCATION:HOSPITAL) a facility name is PHI:
it places the patient in a town.  spaCy calls such names ORG, or splits them into a
person and a place, so ``FacilityRecognizer`` reads them the way the names are built:

- a *head* from ``recognizers/lexicons/facility_words.txt`` ("Hospital", "Medical
  Center", "Nursing Home"), capitalised;
- before it, a run of capitalised words on the same line, joined by "of", "and", "&",
  "the" or a hyphen ("St. Brendan Regional", "Brigham and Women's"); after it,
  optionally "of <Place>";
- at least one word of the run that is not generic ("Regional", "Community",
  "Children's", "Department" ...): "the General Hospital" and "Department of
  Radiology" are not names;
- in a sentence typed in capitals, only the words right before the head back to a
  word of the sentence (a stop, frequent or clinical word, an abbreviation, a
  participle): "PATIENT SCREENED BY REHAB" names nothing, "IN ST MARY HOSPITAL" names
  "ST MARY HOSPITAL".

Short heads from ``facility_short_heads.txt`` ("Regional", "Medical", "Drug",
"Endocrine", "Internal Medicine") also end ordinary phrases ("Regional anesthesia",
"Past Medical History", "Consult Cardiology"), so a name ending in one counts only
where the name ends (punctuation or a function word follows, not a noun), and a
one-word name before it may not open the sentence.

A run ends where a sentence ends ("PICC PLACEMENT. DIALYSIS"), and does not start with a
provider's credential and a dash ("Omar Haddad, MD - Westbrook Family Medicine").  A run
made only of generic words may name the place after "at" instead ("Women's Imaging at
Crane Point").  Before a short head, a single word must be no word of a sentence and the
words no clinical words ("on Peritoneal Dialysis"); after "Dispo:" a one-word name may
open the line.

In a passage typed in lower case ("my mom was at good samaritan hospital") the run is
lower-case words that are neither function words nor generic, at a lower score; before
a short head ("home from valley medical") only after "at", "from", "to", "in" or
"through"; without such a cue where the run holds a known town before a head that is
not short ("outside, andover cardiology group") or a dash and a known town follow the
head ("ferncliff dialysis - dracut").
A saint's name alone ("transferred to St. Luke's", "she's at st. agnes er") is a
hospital too, and so is a Spanish name with its head first ("Clínica Familiar del Valle").
After a cue that moves a patient ("transferred from", "BIBA from", "Destination:"), a
capitalised name that spaCy read as a person, place or organisation is the facility
("transferred from Haywood Regional", "BIBA from Brookdale Walla Walla").
Abbreviations and names without a head ("MGH", "NYU Langone") come from the
``healthcare_facility_name`` lexicon recognizer in ``recognizers/phi.yaml``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List

from presidio_analyzer import RecognizerResult

from ..config import resource_dir
from .facility_heads import _heads, _is_generic, _norm
from .pii import _CodeRecognizer, make_result
from .vocabulary import COMMON_HONORIFICS

ENTITY = "HEALTHCARE_FACILITY"

_JOINERS = frozenset({"of", "and", "&", "the", "de", "la", "del", "-"})
# A word of a name in cased text: capitalised or all capitals, maybe possessive or abbreviated ("St.").
_CAP_TOKEN = re.compile(r"[A-Z][\w'’.-]*|&|-")
_LOWER_TOKEN = re.compile(r"[a-z][a-z'’-]*")
_TOKEN = re.compile(r"[^\s,;:()/\[\]\"]+")
# "St. Luke's", "Saint Mary's": in clinical text a saint's name alone is a hospital.
_SAINTS = re.compile(
    r"(?<![\w.])(?:St\.?|Saint)[ \t]+[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?['’]s(?![\w'’])"
    r"(?![ \t]+(?:Day|Eve|Church|Cathedral|Chapel|Parish|School|College|University|Academy|Street|St\b|Road|Rd\b|"
    r"Avenue|Ave\b|Place|Square|Park|Hall|Island|Bay|River|Feast|Fire|Wort|Cross))"
)
# What follows a head in a firm's name, in any case: "Rheumatology, PLLC", "Endocrine Associates", "cardiovascular center"
_FIRM_SUFFIX = re.compile(
    r"(?:[ \t]+(?i:Associates|Group|Partners|Services|Center|Centre|Clinic|Specialists|Consultants)(?![\w'’-])"
    r"|,?[ \t]+(?:PLLC|P\.?C\.|LLC|LLP|Inc\.?|P\.?A\.)(?![\w'’-]))+"
)
# Spanish names put the head first: "Clínica Familiar del Valle", "Centro de Salud San Juan".
_HEAD_FIRST = re.compile(
    r"(?<![\w])(?:Cl[ií]nica|CL[IÍ]NICA|Centro M[ée]dico|Centro de Salud|Sanatorio)"
    r"(?:[ \t]+(?:(?:de|del|la|las|los|el|y)[ \t]+)*[A-ZÁÉÍÓÚÑ][\w'’-]*)+"
)
# "st. agnes er", "St. Brendan ED": a saint's name before the emergency department
_SAINT_ER = re.compile(
    r"(?<![\w.])(?:St\.?|Saint|st\.?|saint)[ \t]+[A-Za-z][a-z]{2,}(?:['’]s)?(?=[ \t]+(?:ER|ED|er|ed|emergency|Emergency)\b)"
)
# Where a name ending in a short head ends: punctuation, a word that cannot continue a name,
# the house number of the address that follows it, or a date ("FROM KESTREL VALE REGIONAL 12/3"); an "@"
# before its number or a time ("CALLED WRENHOLT MANOR @ 555-555-0190").
_SHORT_HEAD_END = re.compile(
    r"(?:[ \t]{2,}|\t)|[ \t]+\d{1,6}[ \t]+[A-Z]|[ \t]+(?:1-)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}\b|[ \t]+\d{1,2}/\d{1,2}(?![\d.])|[ \t]*(?:$|[\n.,;:!?()\[\]—–/|&@-]|(?:on|in|at|to|for|of|and|or|with|from|by|since|until|where|which|who|is|was|"
    r"has|had|have|says|said|took|did|does|gave|called|yesterday|today|tonight|last|this|next|the|a|an|but|so|if|"
    r"when|after|before|about|because|then|told|wants|will|would|can|could|should|office|on-call|via|per|once|pending|dated|"
    r"tomorrow|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
    re.IGNORECASE,
)
_LOWER_CUES = frozenset({"at", "from", "to", "into", "in", "through"})
_MOVE_CUE = re.compile(
    r"(?:\b(?:[Tt]ransferred|[Tt]ransfer|BIBA|BIBEMS|[Bb]rought|[Aa]dmitted|[Rr]eadmitted|[Dd]ischarged|[Dd]elivered|"
    r"[Aa]irlifted|[Ff]lown|[Tt]ransported|[Dd]iverted)(?:[ \t]+(?:back|over|emergently|urgently))?[ \t]+(?:from|to|at)"
    r"|\b(?:[Dd]estination|[Ss]ending [Ff]acility|[Rr]eceiving [Ff]acility|[Tt]ransferring [Ff]acility|"
    r"[Rr]eferring [Ff]acility|[Ff]acility)[ \t]*:"
    r"|\b(?:at|from|to)(?=[ \t]+(?:St\.?|Saint|Mount|Mt\.?)[ \t]+[A-Z]))[ \t]+"
)
# A capitalised name of one to four words, "St. Charles Bend", "Covenant Children's".
_CUE_RUN = re.compile(r"((?:St\.|Mt\.|[A-Z][\w'’-]*))(?:[ \t]+(?:&[ \t]+)?[A-Z][\w'’-]*){0,3}")
_HONORIFICS = frozenset(h.title() + stop for h in COMMON_HONORIFICS for stop in ("", "."))
_NER_NAMES = frozenset({"PERSON", "GPE", "LOC", "ORG", "FAC", "NORP"})
# Words that open an order or a plan line before a specialty ("Consult Cardiology").
_ORDER_VERBS = frozenset(
    "consult consults call page refer see contact notify discuss follow schedule send ask appreciate recommend "
    "per via re cc please await awaiting defer".split()
)
# A name alone on its line, or before a column gap or a dash: a letterhead or a heading.
_HEADING_END = re.compile(r"[ \t]*(?:$|\n|[ \t]{2,}|\t|:|[ \t]+[-—–|])")
_AFTER_AT = re.compile(r"[ \t]+(?:at|AT)[ \t]+(?:the[ \t]+|THE[ \t]+)?([A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})")
# "ferncliff dialysis - dracut": in lower case, a head and a known town after a dash
_LOWER_TOWN_AFTER = (re.compile(r"[ \t]+[-–—][ \t]+([a-z][a-z'’-]+[ \t]+[a-z][a-z'’-]+)(?![\w'’-])"),
                     re.compile(r"[ \t]+[-–—][ \t]+([a-z][a-z'’-]+)(?![\w'’-])"))
_LOWER_OF = re.compile(r"[ \t]+of[ \t]+([a-z][a-z'’-]+)")
_AFTER_OF = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?([A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,3})")
MAX_RUN = 7
_CREDENTIAL = re.compile(r"(?:MD|M\.D\.|DO|NP|PA|PA-C|RN|APRN|DPM|DDS|DMD|OD|PhD|PHD|PharmD|LCSW|LICSW|FNP|CNM)")
# A label of where the patient goes, comes from or is followed up, before a one-word name and a short
# head, and before a name in lower case ("f/u: thistlebrook endocrine associates").
_DESTINATION_LABEL = re.compile(r"(?i)(?:\b(?:dispo(?:sition)?|destination|discharged?[ \t]+to|d/c[ \t]+to|admitted[ \t]+from|"
                                r"follow[- ]?up)|\bf/u)[ \t]*:?$")




class FacilityRecognizer(_CodeRecognizer):
    """Facility names ending in a head word (see module docstring)."""

    ENTITY = ENTITY

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        results = []
        heads, last_words, short = _heads()
        lowered = text.lower()
        if not any(w in lowered for w in last_words):
            heads = None
        for head in heads.finditer(text) if heads else ():
            word = head.group()
            is_short = _norm(word) in short
            if is_short and not _SHORT_HEAD_END.match(text, _firm_end(text, head.end())):
                continue
            if word[0].isupper():
                found = self._cased(text, head.start(), head.end(), is_short)
            elif word.islower() and _lower_case_passage(text, head.start()):
                found = self._lower(text, head.start(), head.end(), is_short)
            else:
                found = None
            if found:
                results.append(make_result(self, ENTITY, *found))
        if "St" in text or "Saint" in text:
            results += [make_result(self, ENTITY, m.start(), m.end(), 0.6) for m in _SAINTS.finditer(text)]
        doc = getattr(nlp_artifacts, "tokens", None)  # spaCy's own entities, ORG included
        if doc is not None and doc.ents:
            results += [make_result(self, ENTITY, s, e, 0.65) for s, e in _named_after_cue(text, doc.ents)]
        if "cl" in lowered or "centro" in lowered or "sanatorio" in lowered:
            results += [make_result(self, ENTITY, m.start(), m.end(), 0.7) for m in _HEAD_FIRST.finditer(text)]
        if "st" in lowered or "saint" in lowered:
            results += [make_result(self, ENTITY, m.start(), m.end(), 0.6) for m in _SAINT_ER.finditer(text)]
        return results

    @staticmethod
    def _cased(text: str, start: int, end: int, short: bool = False) -> tuple[int, int, float] | None:
        words = _words_before(text, start)
        run: list[re.Match[str]] = []
        for m in reversed(words):
            if len(run) >= MAX_RUN or not (_CAP_TOKEN.fullmatch(m.group()) or m.group() in _JOINERS):
                break
            if m.group().endswith(".") and len(m.group()) > 5:
                break  # "PICC PLACEMENT. DIALYSIS": a sentence ends before the name ("St.", "Hosp." do not)
            run.insert(0, m)
        if run and text[start:end].isupper() and all(m.group().isupper() for m in run if m.group().isalpha()):
            run = _name_in_capitals(run)
        while run and (run[0].group().lower() in _JOINERS  # "AND PENOBSCOT RIVER VNA" in capitals
                       or len(run) > 2 and run[1].group() == "-" and _CREDENTIAL.fullmatch(run[0].group())):
            run.pop(0)  # "Omar Haddad, MD - Westbrook Family Medicine": the provider's credential, then the practice
        while len(run) > 1 and (run[0].group().title() in _HONORIFICS
                                or (i := words.index(run[0])) and words[i - 1].group().title() in _HONORIFICS):
            run.pop(0)  # "DR NAKASHIMA BRAMBLEFORD CARDIOLOGY": the doctor's title and surname, then the practice
        names = [m.group() for m in run if m.group() not in _JOINERS]
        after = _AFTER_OF.match(text, end)
        at = None if after or any(not _is_generic(w) for w in names) else _place_after_at(text, end)
        if at:  # "Women's Imaging at Harbor Point": a kind of care, then where it is given
            names += at[0]
        if after:
            names += after.group(1).split()
        if not any(not _is_generic(w) and not w.isdigit() for w in names):
            return None
        if short and not _names_a_place(text, run, names, end):
            return None
        s = run[0].start() if run else start
        e = after.end() if after else at[1] if at else end
        if not after:
            e = _firm_end(text, e)  # "Rheumatology, PLLC", "Home Care Partners", "Dental Group"
        while text[e - 1] == "." and after:
            e -= 1  # the full stop after "of Philadelphia."
        return s, e, 0.8

    @staticmethod
    def _lower(text: str, start: int, end: int, short: bool = False) -> tuple[int, int, float] | None:
        from spacy.lang.en.stop_words import STOP_WORDS

        run = []
        before = None
        for m in reversed(_words_before(text, start)):
            w = m.group()
            if len(run) >= 4 or not _LOWER_TOKEN.fullmatch(w) or w in STOP_WORDS:
                before = w
                break
            run.insert(0, m)
        if not any(not _is_generic(m.group()) for m in run):
            # "at skin & laser of fairview": the head names the place it is "of"
            after = _LOWER_OF.match(text, end)
            if run or before not in _LOWER_CUES or not after or after.group(1) in STOP_WORDS or _is_generic(after.group(1)):
                return None
            return start, after.end(), 0.6
        for town in (t.match(text, end) for t in _LOWER_TOWN_AFTER):
            if town and _known_place(town.group(1)):
                return run[0].start(), town.end(), 0.6  # "ferncliff dialysis - dracut": a town follows it
        labelled = before is None and _DESTINATION_LABEL.search(text[max(0, run[0].start() - 20) : run[0].start()].rstrip()) \
            and not any(_sentence_word(m.group()) for m in run if not _is_generic(m.group()))  # not "f/u: neuromuscular clinic"
        if before not in _LOWER_CUES and not labelled and not (not short and any(_known_place(m.group()) for m in run)):
            # "run free clinics": without "at", "from", "to" or a label ("f/u:", "dispo:") a lower-case
            # run is no name, unless it holds a town ("outside, lowell cardiology group")
            return None
        return run[0].start(), _firm_end(text, end), 0.6


def _named_after_cue(text: str, entities) -> list[tuple[int, int]]:
    """"transferred from Haywood Regional", "BIBA from Brookdale Walla Walla", "Destination:
    St. Charles Bend": after a cue that moves a patient between facilities, a capitalised
    name that spaCy called a person, place or organisation is the facility."""
    spans = []
    for cue in _MOVE_CUE.finditer(text):
        run = _CUE_RUN.match(text, cue.end())
        if not run or run.group(1) in _HONORIFICS:
            continue
        words = [w for w in re.split(r"[ \t]+", run.group()) if w not in _JOINERS]
        if not any(not _is_generic(w) for w in words) or _person_name(words):
            continue
        if len(words) == 1 and words[0].isupper() and len(words[0]) <= 5:
            continue  # a unit (IMC, PACU); hospital acronyms are the packs' (healthcare_facility_acronym)
        start, end = run.start(), run.end()
        saint = run.group(1) in ("St.", "Mt.", "Saint", "Mount", "St", "Mt")
        if saint or any(ent.start_char < end and start < ent.end_char and ent.label_ in _NER_NAMES for ent in entities):
            spans.append((start, end))
    return spans


def _name_in_capitals(run: list[re.Match[str]]) -> list[re.Match[str]]:
    """In a sentence typed in capitals every word is capitalised, so the name before the
    head is only the words right before it back to a word of the sentence: a stop,
    frequent or clinical word, an abbreviation, a single letter or a participle ("GO TO
    REHAB", "PATIENT SCREENED BY REHAB", "CONT WITH CARDIAC REHAB"; "BALTIMORE REHAB" stays)."""
    keep = len(run)
    while keep and (run[keep - 1].group().lower() in _JOINERS and keep < len(run) or not _sentence_word(run[keep - 1].group())):
        keep -= 1
    if 0 < keep < len(run) and run[keep - 1].group().rstrip(".") in ("ST", "SAINT", "MT", "MOUNT"):
        keep -= 1  # "IN ST MARY HOSPITAL"
    # "STROKE ALERT TO FENWICK POINT HOSPITAL": after a preposition of place, frequent words of a name beside
    # a word no sentence has ("TO THE HOSPITAL", "TO LOCAL HOSPITAL", "TO ICU STEP DOWN UNIT" stay sentences)
    words = [m.group() for m in run[:keep]]
    for n in range(1, min(3, len(words) - 1) + 1):
        if words[-n - 1] in ("TO", "FROM", "AT", "VIA") and any(not _sentence_word(w) for w in words[-n:]) \
                and not any(_structural_word(w) for w in words[-n:]):
            return run[keep - n :]
    return run[keep:]


def _sentence_word(word: str) -> bool:
    from .names.lexicons import fold, load_lexicons

    return _structural_word(word) or fold(word.strip(".,'’")) in load_lexicons().common


def _structural_word(word: str) -> bool:
    """A word of a sentence other than a frequent one: a stop, shorthand or clinical word, an abbreviation,
    a letter, a number or a participle."""
    from spacy.lang.en.stop_words import STOP_WORDS

    from .clinical import _ABBREVIATIONS, _clinical_vocabulary
    from .names.lexicons import fold, load_lexicons
    from .shorthand import _shorthand_terms

    key = fold(word.strip(".,'’"))
    lex = load_lexicons()
    return len(key) <= 1 or key in STOP_WORDS or key in _shorthand_terms() \
        or any(ch.isdigit() for ch in key) or key in _clinical_vocabulary() or word.strip(".") in _ABBREVIATIONS \
        or key.endswith(("ed", "ing")) and key in lex.dictionary and key not in lex.places


def _place_after_at(text: str, end: int) -> tuple[list[str], int] | None:
    """The capitalised place after "at" ("Women's Imaging at Crane Point", "Liver Clinic at Three
    Rivers"), up to a stop word; its first word no frequent or clinical word ("ENDOCRINE AT HOME
    IS ..."), one of its words no word of a sentence, and no facility's head in it."""
    from spacy.lang.en.stop_words import STOP_WORDS

    m = _AFTER_AT.match(text, end)
    if not m or _heads()[0].search(m.group(1)):
        return None
    keep = []
    for w in re.finditer(r"\S+", m.group(1)):
        if w.group().lower() in STOP_WORDS and keep:
            break
        keep.append(w)
    first = keep[0].group()
    if first.lower() not in STOP_WORDS and _sentence_word(first) or all(_sentence_word(w.group()) for w in keep):
        return None  # "ENDOCRINE AT HOME IS ...", not "Liver Clinic at Three Rivers"
    return [w.group() for w in keep], m.start(1) + keep[-1].end()


def _known_place(words: str) -> bool:
    """A town or place of the place lists that is no word of a sentence: "lowell", "north andover"."""
    from .names.lexicons import fold, load_lexicons

    lex = load_lexicons()
    key = fold(words)
    return (key in lex.places or key in lex.towns) and not all(_sentence_word(w) for w in words.split())


def _care_word(word: str) -> bool:
    """A clinical word or abbreviation, a stop word or a participle: "Peritoneal", "Started"."""
    from spacy.lang.en.stop_words import STOP_WORDS

    from .clinical import _ABBREVIATIONS, _clinical_vocabulary
    from .names.lexicons import fold

    key = fold(word.strip(".,'’"))
    return key in _clinical_vocabulary() or word.strip(".") in _ABBREVIATIONS or key in STOP_WORDS \
        or key.endswith(("ed", "ing"))


def _person_name(words: list[str]) -> bool:
    """"John Smith": a given name and a surname, a person moved to a service, not a place."""
    from .wordsets import first_names
    from .names.lexicons import fold, load_lexicons

    return len(words) == 2 and fold(words[0]) in first_names() and fold(words[1]) in load_lexicons().last


def _names_a_place(text: str, run: list[re.Match[str]], names: list[str], end: int) -> bool:
    """Before a short head: a name, not a verb or a word opening the sentence
    ("Consult Cardiology", "Called Dermatology", "Past Medical")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [w for w in names if not _is_generic(w)]
    if not any(w.lower() not in STOP_WORDS and not w.lower().endswith(("ed", "ing")) for w in words):
        return False
    if len(names) == 1 and _sentence_word(names[0]) or all(_care_word(w) for w in words):
        return False  # "on Peritoneal Dialysis", "Started Hemodialysis Dialysis": care, not a name ("North Star Cardiac Rehab" is)
    if len(names) >= 2:
        return True
    if names[0].lower() in _ORDER_VERBS:
        return False
    prev = text[: run[0].start()].rstrip(" \t") if run else ""
    if bool(prev) and prev[-1] not in ".!?:\n*#>":
        return True
    if _DESTINATION_LABEL.search(prev[-20:]):
        return True  # "Dispo: Tidemark Skilled Nursing": where the patient goes
    # opening a line or sentence: a letterhead ("Northgate Internal Medicine" alone on its line)
    return bool(_HEADING_END.match(text, end))


def _firm_end(text: str, end: int) -> int:
    """Where a name ends once the firm words after its head are read: "... Endocrine Associates"."""
    more = _FIRM_SUFFIX.match(text, end)
    return more.end() if more else end


def _words_before(text: str, start: int) -> list[re.Match[str]]:
    """The tokens between the start of the line (or the last comma/colon) and ``start``."""
    line_start = max(text.rfind("\n", 0, start), text.rfind(",", 0, start), text.rfind(":", 0, start),
                     text.rfind("(", 0, start), text.rfind(";", 0, start)) + 1  # fmt: skip
    line_start = max(line_start, start - 120)
    gap = max(text.rfind("  ", line_start, start), text.rfind("\t", line_start, start))
    if gap >= 0:  # a column gap ("Pt: Jo Roe    Hospice ID") ends the name
        line_start = gap
    return list(_TOKEN.finditer(text, line_start, start))


def _lower_case_passage(text: str, pos: int) -> bool:
    """The sentence around ``pos`` is typed without capitals (digits-and-letters codes aside)."""
    lo, hi = max(0, pos - 150), min(len(text), pos + 150)
    words = re.findall(r"[A-Za-z][A-Za-z'’]*", text[lo:hi])
    return bool(words) and sum(w[0].isupper() for w in words) <= max(1, len(words) // 20)
