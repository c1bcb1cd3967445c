"""Clinical false-positive controls and the Safe Harbor ``GENERAL`` types, in the
refinement layer.

Rule systems that de-identify notes well (Philter among them) run ordered "safe"
patterns before they redact: a word that names a sign, a score or a disease is not a
person, and a blood pressure is not a date.  ``drop_clinical_lookalikes`` does that
for candidates from NER and the name recognizer, in this order:

1. *scores*: a finding inside a score acronym ("APACHE II", "CURB-65", "NIHSS";
   ``lexicons/clinical_scores.txt``);
2. *eponyms*: a finding made only of eponym words (``clinical_eponyms.txt``) with a
   clinical head word after it ("Romberg test", "Child-Pugh class B", "Tinel's sign",
   "Hodgkin and non-Hodgkin lymphoma"), a grade after it ("Gleason 7"), or, for
   disease eponyms (``clinical_eponym_diseases.txt``), a possessive ("Parkinson's") or
   "non-" before it.  An honorific before it ("Mr. Murphy's sign-out") keeps it a name;
3. *abbreviations*: MS, PT, ED, PA, OR ... alone are clinical, not places or people,
   unless written as a state after a town ("Erie, PA");
4. *month names*: "May", "June", "August" next to a day or after "in"/"since" are months,
   not given names;
5. *fractions*: "120/80", "7/10 pain", "4/5 strength", "1/2 tablet", "MMSE 12/30" are
   readings and doses, not dates;
6. *clinical phrases*: an NER "name" made of a drug, condition or clinical term, numbers,
   units, abbreviations and ordinary words ("Mounjaro 5", "Can Plavix", "LDL 190",
   "Schedule II") is none, unless a given name, a surname or an initial is in it;
7. *what the doctor did*: in lower-case text, a frequent verb after "doctor" ("my doctor
   said") is not a name.

An examination finding after an eponym ("Romberg positive") counts as a head word, and
a disease named by two eponyms ("Guillain-Barré") needs none.

``retype_general`` then turns a ``DATE_TIME`` that is a year alone into ``DATE_YEAR``
and a ``LOCATION`` that is a state, a country or a larger region (``regions.txt``) into
``REGION``; both are category ``GENERAL``: not identifiers under HIPAA Safe Harbor.
A region that is also a common given name ("Georgia", "Virginia") stays a LOCATION
unless a place cue ("in", "from", ", ") stands before it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from ..config import resource_dir

from .candidate import STATISTICAL_RECOGNIZERS, Candidate
from .dates import HISTORY_CUE, is_year_month
from .vocabulary import HONORIFICS, MONTH_ABBREVIATIONS, MONTH_STEMS, MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS, alternation

NAME_TYPES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP", "HEALTHCARE_FACILITY"})

# Words after an eponym that make it a clinical term.  Generic nouns ("line", "study",
# "type", "view") are left out: after a surname they are as often about a person.
_HEADS = frozenset(
    """sign signs test tests testing score scores scoring scale scales criteria criterion class classes
    classification stage stages staging grade grades grading index disease diseases syndrome syndromes
    sarcoma lymphoma lymphomas tumor tumour carcinoma palsy maneuver maneuvers manoeuvre reflex reflexes
    breathing respiration respirations triad phenomenon law formula equation rule rules position procedure
    operation fundoplication incision catheter catheters drain node nodes lesion lesions spot spots cell
    cells fracture fractures cyst contracture neuroma esophagus oesophagus ulcer ulcers diverticulum murmur
    block stain staining smear coma pupil pupils pouch shunt regimen protocol curve ratio monitor monitoring
    aphasia encephalopathy thyroiditis chorea dementia arteritis tear deformity dystrophy ataxia anomaly
    anomalies tetralogy virus bacillus fever sclerosis malformation disorder toxin agar technique gastrectomy
    questionnaire inventory assessment duct gland glands canal membrane valve tract foramen ligament hernia
    bypass anastomosis pathway tuberosity nodule nodules crisis ultrasound developmental screen screening
    echo splint forceps stockings point diet cath""".split()
)
# Words that may stand between an eponym and its head: "Ottawa ankle rule", "Karnofsky
# performance score", "Canadian CT head rule", "Denver developmental screening test".
# Exam findings that follow or precede a sign named after a person: "Romberg positive",
# "no Babinski", "Tinel and Phalen both positive".
_FINDINGS = frozenset(
    """positive negative pos neg upgoing downgoing equivocal unable intact absent present normal abnormal elicited""".split()
)
_FINDING_BEFORE = re.compile(r"\b(?:no|negative|positive|neg|pos|absent|equivocal|present|unable)[ \t]+$", re.IGNORECASE)
_MODIFIERS = frozenset(
    """ankle knee foot head neck spine c-spine cervical ct mri performance developmental coma severity risk
    bleeding stroke pain status depression anxiety sleepiness cognitive functional frailty fall falls nutrition
    pressure sepsis pneumonia embolism appendicitis prognostic prediction clinical mental modified revised
    simplified pediatric paediatric adult vision hearing tremor disability dyspnea dyspnoea bleed""".split()
)
# "FR" is French (a catheter's gauge: "16 FR FOLEY") before an eponym far more often than a priest
_BEFORE_EPONYM = [h for h in HONORIFICS if h not in {"fr", "rev", "dame", "lord", "lady"}] + ["nurse"]
_HONORIFIC = re.compile(rf"(?:\b{alternation(_BEFORE_EPONYM)}\.?|\bpatient|\bpt)\s+$", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_][\w'’]*|\d+|[IVX]+\b")
# A day of the year after a word ("FELL AT HOME IN CARVER 1/22"), not a grade out of a total ("Berg 44/56").
_DAY_AFTER = re.compile(r"[ \t]+(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?![\w/])")
_GRADE_AFTER = re.compile(r"[ \t]+(?:\d{1,2}/\d{1,3}|\d{1,2}(?:\+\d)?|[IVX]{1,4}|[A-C])(?![\w/])")  # "Berg 44/56"
# Eponyms that stand alone for a device or a test ("Foley to gravity", "a Doppler").
_STANDALONE = frozenset("foley doppler holter hickman broviac penrose dobhoff hemovac swan-ganz jackson-pratt".split())
# All-capital words that head sections of a note; a "name" made only of these and
# abbreviations ("ED NOTE / CC") is a heading.
_HEADING_WORDS = frozenset(
    "NOTE NOTES SUMMARY REPORT PLAN ASSESSMENT HISTORY EXAM LABS MEDS IMPRESSION FINDINGS DISCHARGE ADMISSION "
    "PROGRESS TRIAGE CONSULT PROCEDURE OPERATIVE ALLERGIES VITALS DISPOSITION COURSE INSTRUCTIONS DIAGNOSIS "
    "DIAGNOSES COMPARISON TECHNIQUE INDICATION INDICATIONS".split()
)
# "1900-0700": a nursing shift, two 24-hour times, not a phone number.
_SHIFT = re.compile(r"(?:[01]\d|2[0-4])[0-5]\d-(?:[01]\d|2[0-4])[0-5]\d")
_POSSESSIVE = re.compile(r"(?:'s|’s|s'|s’)$")

# Abbreviations that clinical text uses for services, people and diseases.
_ABBREVIATIONS = frozenset(
    """MS PT ED PA OR ER ICU CCU NICU PICU MICU SICU PACU BP HR RR GI GU ENT OB GYN OBGYN CT MRI ECG EKG EEG EMG
    CBC BMP CMP INR PTT TSH DM HTN CHF COPD CKD CAD MI PE DVT UTI URI TB HIV HCV HBV AF CVA TIA NPO PRN BID
    TID QID PO IV IM SC SQ NKDA DNR DNI HCP PCP NP RN MD DO LPN CNA SNF OT SLP RT ADL ROM WNL NAD PERRLA
    HEENT CTA RRR SOB DOE PND CP NV ABG VBG LFT LFTs UA UDS CXR KUB US EF LVEF AKI ESRD HD PD RA SLE IBD IBS
    GERD BPH OSA ADHD PTSD OCD MDD GAD ALS CF SCD ITP TTP DIC ARDS SIRS BLS ACLS PALS EMS BIBA AMA LWBS
    MVC MVA GSW LOC AAOx3 AOx3 OTC RX DX HX TX SX FX CC HPI ROS PMH PSH FH SH""".split()
)
# State codes that an abbreviation can also be, used as a state after a town: "Erie, PA".
_STATE_AFTER_TOWN = re.compile(r"[A-Z][\w.'’-]*,[ \t]*$")

_MONTHS = frozenset(MONTHS + MONTH_ABBREVIATIONS)
_MONTH_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|on|since|until|till|by|from|of|early|late|mid|last|next|this|during|through|before|after|"
    r"between|and|to)[ \t]+|\d[ \t]*|-)$",
    re.IGNORECASE,
)
_MONTH_CUE_AFTER = re.compile(r"^[ \t.,]*(?:\d|(?:of[ \t]+)?(?:19|20)\d\d)")

_FRACTION = re.compile(r"(?<![\d/])(\d{1,3})[ \t]*/[ \t]*(\d{1,3})(?![\d/])")
_FRACTION_CUE_BEFORE = re.compile(
    r"\b(?P<cue>bp|b/p|blood\s+pressure|pressures?|pain|strength|power|motor|mae|grips?|grasps?|vision|visual|acuity|va|score|scored|"
    r"scale|mmse|moca|gcs|apgars?|reflexes|murmur|grade|rated|rates|take|takes|taking|tab|tabs|tablets?|"
    r"dose|pupils?|ratio|fio2|peep|vent|settings|day|days|cycle|week|bims|phq-?9|gad-?7|h/h)\b[^.\n]{0,12}$"
    # a pair of readings right before ("CO/CI 4.1/2.2"), not further back ("INR/PTT ON HEPARIN 4/8")
    r"|\b[a-z]{2,}/[a-z]{2,}[ \t:=]*$",
    re.IGNORECASE,
)
# Cues of a count out of a total: "abx day 3/7", "cycle 2/6"; never more than the total
_COUNTS_OF_DAYS = frozenset("day days cycle week".split())
# "at 2 mcg/kg/min until 4/9", "until 6pm 4/9": a time word right before the fraction, or before
# a clock time before it, makes it a day, whatever dose stands before it
_UNTIL_BEFORE = re.compile(
    r"(?i)\b(?:until|till|since|dated|due)[ \t]+(?:\d{1,4}(?::\d\d)?[ \t]?(?:am|pm|a|p|h|hrs)?[ \t]+)?$")
_FRACTION_CUE_AFTER = re.compile(
    r"^[ \t]*(?:mm[ \t]?hg|cm[ \t]?h2o|tabs?\b|tablets?\b|caps?\b|capsules?\b|inch(?:es)?\b|cups?\b|teaspoons?\b|"
    r"tsp\b|of[ \t]+(?:a|an|the)\b|strength\b|pain\b|power\b|vision\b|murmur\b|systolic\b|diastolic\b|"
    r"(?:on|at)[ \t]+(?:rest|exertion|standing|sitting)\b|bilaterally\b|throughout\b|in[ \t]+(?:all|both)[ \t]+(?:four[ \t]+)?(?:extremities|limbs|ues|les)\b|"
    r"(?:in|on)[ \t]+(?:the[ \t]+)?(?:left|right|bilateral|r|l)\b|sem\b|hsm\b|holosystolic\b|"
    r"(?:likely|probable|possible|presumed|due)\b|"
    # ventilator modes, a dose of insulin or saline, "crackles 1/4 up": settings and fractions
    r"(?:ps|psv|cpap|peep|bipap|simv|imv|nph|ns|nss|amps?)\b|up\b(?![ \t]+to\b))",
    re.IGNORECASE,
)
# blood culture bottles counted: "2/4 bottles", "bcx 2/2 gpc", "1/2 sets positive"
_COUNT_AFTER = re.compile(r"(?i)[ \t]*(?:bottles?|sets?|cultures?|cx|bcx|positive|pos)\b")
_COUNT_BEFORE = re.compile(r"(?i)\b(?:bcx|bc|cx|cultures?|bottles?)[ \t:]*$")
_YEAR_ALONE = re.compile(
    r"(?:(?:in|since|by|from|until|till|during|circa|ca\.?|around|early|late|mid|the|year|of|before|after)[ \t-]+)*"
    r"(?:18|19|20)\d\d(?:s|'s|’s)?(?:[ \t]*(?:-|–|to|and|through|or)[ \t]*(?:(?:18|19|20)\d\d|\d\d)(?:s|'s)?)?",
    re.IGNORECASE,
)
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|from|to|of|across|throughout|near|visiting|visited|moved|born|or|and)[ \t]+(?:the[ \t]+)?|,[ \t]*)$",
    re.IGNORECASE,
)
# Before a region that is also a given name, only a cue no person takes: "gave it to Jordan".
_STRONG_PLACE_CUE = re.compile(
    r"(?:\b(?:in|from|across|throughout|travel(?:l?ed|l?ing)?[ \t]+to|(?:moved|retired?|retiring)[ \t]+to|born[ \t]+in|visiting)[ \t]+"
    r"(?:the[ \t]+)?|[a-z],[ \t]*)$",
    re.IGNORECASE,
)
_GIVEN_NAME_REGIONS = frozenset(
    "georgia virginia carolina jordan chad india kenya israel indiana dakota montana florida china sierra "
    "victoria adelaide austin".split()
)


def _lexicon(name: str) -> list[str]:
    from .packs import read_lexicon

    return read_lexicon(resource_dir("recognizers") / "lexicons" / name)


@dataclass(frozen=True)
class _Lexicons:
    eponyms: frozenset[str]
    diseases: frozenset[str]
    scores: re.Pattern[str]
    regions: frozenset[str]
    region_codes: frozenset[str]
    procedures: frozenset[str]  # one-word procedures ("peg", "trach", "cabg"), lower case


@lru_cache(maxsize=1)
def _lexicons() -> _Lexicons:
    scores = sorted(set(_lexicon("clinical_scores.txt")), key=len, reverse=True)
    body = "|".join(r"[ \t-]?".join(re.escape(w) for w in re.split(r"[ -]", s)) for s in scores)
    regions = _lexicon("regions.txt")
    return _Lexicons(
        eponyms=frozenset(_key(w) for w in _lexicon("clinical_eponyms.txt")),
        diseases=frozenset(_key(w) for t in _lexicon("clinical_eponym_diseases.txt") for w in t.split()),
        scores=re.compile(rf"(?<![\w-])(?:{body})(?:[ \t-]?(?:[IVX]{{1,3}}|\d{{1,2}}))?(?![\w-])"),
        regions=frozenset(_key(r) for r in regions if not (r.isupper() and len(r) <= 3)),
        region_codes=frozenset(r for r in regions if r.isupper() and len(r) <= 3),
        procedures=frozenset(p.lower() for p in _lexicon("procedures.txt") if " " not in p),
    )


def _deaccent(word: str) -> str:
    """"Guillain-Barré" is the lexicons' "Guillain-Barre"."""
    if word.isascii():
        return word
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def _key(word: str) -> str:
    word = _deaccent(word.replace("’", "'").lower())
    return _POSSESSIVE.sub("", word) if len(word) > 3 else word


# -- safe patterns -----------------------------------------------------------------------


def drop_clinical_lookalikes(text: str, cands: list[Candidate]) -> list[Candidate]:
    if not cands:
        return cands
    cands = _drugs_and_diseases_not_names(text, cands)
    names = [c for c in cands if c.entity_type in NAME_TYPES]
    scores = list(_lexicons().scores.finditer(text)) if names else []
    terms = [c for c in cands if c.entity_type in _CLINICAL_TYPES] if names else []
    kept = []
    for c in cands:
        if c.entity_type in NAME_TYPES and (
            _inside_score(c, scores)
            or _eponym_term(text, c)
            or _abbreviation(text, c)
            or _month(text, c)
            or _heading(text, c)
            or _clinical_word(text, c)
            or _clinical_phrase(text, c, terms)
            or _word_after_title(text, c)
            or _measurement_label(text, c)
            or _runs_into_term(c, terms)
            or _words_run_on_at_a_comma(text, c)
        ):
            continue
        if c.entity_type == "DATE_TIME" and (_reading_not_date(text, c) or _lab_value(text, c)):
            continue
        if c.entity_type in ("PHONE_NUMBER", "DATE_TIME") and _SHIFT.fullmatch(text[c.start : c.end]):
            continue
        kept.append(c)
    return kept


def _runs_into_term(c: Candidate, terms: list[Candidate]) -> bool:
    """"Early Parkinson's disease": a name whose last word opens a clinical term found
    around it is the term's eponym, with a word before it."""
    return c.entity_type == "PERSON" and any(c.start < t.start < c.end < t.end for t in terms)


def _heading(text: str, c: Candidate) -> bool:
    words = re.findall(r"\S+", text[c.start : c.end])
    return all(w.strip(":") in _ABBREVIATIONS or w.strip(":").upper() in _HEADING_WORDS for w in words)  # "Discharge Meds:"


def _clinical_word(text: str, c: Candidate) -> bool:
    """What NER took for a name is clinical vocabulary ("Wristband", "Dispo"), a lab or a
    measurement ("Cr 1.4", "Wt 9.8 kg", "LDL 190": the words before the number are
    vocabulary, an abbreviation or not shaped like a name), or a word not shaped like
    a name at all ("EtOH", "A&Ox4")."""
    value = text[c.start : c.end]
    vocabulary = _clinical_vocabulary()
    if c.recognizer not in STATISTICAL_RECOGNIZERS:
        # the name recognizer reads "X-ray" as a name ("Ray"); a hand-listed hyphenated term is none
        return "-" in value and " " not in value and _key(value) in vocabulary
    words = value.split()
    number = next((i for i, w in enumerate(words) if w[:1].isdigit() or re.fullmatch(r"[IVX]{1,4}", w)), None)
    if number is not None:  # "Cr 1.4", "Schedule II"
        words = words[:number]
        if not words or all(_key(w) in vocabulary or w in _ABBREVIATIONS or len(w) <= 3 or not _name_shaped(w)
                            or _ordinary(w) for w in words):
            return True
    if len(words) == 1 and not _name_shaped(words[0]):
        return True
    # "Summarise DAPA-HF": an ordinary word and a trial acronym
    return bool(words) and all(_key(w) in vocabulary or w in _ABBREVIATIONS or _acronym(w) for w in words) or (
        len(words) > 1 and all(_ordinary(w) or _acronym(w) for w in words) and any(_acronym(w) for w in words))


_RUN_ON_COMMA = re.compile(r"([^\W\d_]+),([^\W\d_]+)")
_LAB_SYMBOLS = frozenset("NA K MG CA CL PHOS CO2 HCO3 BUN CR GLU LACT".split())  # "REPLETION,NA 141"


def _words_run_on_at_a_comma(text: str, c: Candidate) -> bool:
    """"VANCO THEN DAPTOMYCIN,CLEARANCE CX": two words a note ran together at a comma, read as
    "surname,given", where either is a care word, an abbreviation or an English word no name list holds."""
    m = _RUN_ON_COMMA.fullmatch(text[c.start : c.end])
    return m is not None and any(_key(w) in _clinical_vocabulary() or w.upper() in _ABBREVIATIONS
                                 or w.upper() in _LAB_SYMBOLS or _ordinary(w) for w in m.groups())


def _ordinary(word: str) -> bool:
    """An English word that no name or place list knows."""
    from .names.lexicons import fold, load_lexicons

    return load_lexicons().is_word(fold(word.strip(".,;:()")))


def _acronym(word: str) -> bool:
    """"DAPA-HF", "EMPA-REG", "COVID-19": capitals joined by a hyphen or digits, no name."""
    return bool(re.fullmatch(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+", word))


_MEASUREMENT_AFTER = re.compile(r"[ \t:]+\d+(?:\.\d+)?[ \t]*(?:kg|g|cm|mm|m|in|lbs?|oz|mg|mL|ml|%|bpm|mmHg)\b")


def _measurement_label(text: str, c: Candidate) -> bool:
    """"Len 75.5 cm", "Wt 61 kg": one word right before a measurement labels it."""
    return " " not in text[c.start : c.end].strip() and _MEASUREMENT_AFTER.match(text, c.end) is not None


def _name_shaped(word: str) -> bool:
    from .names.runs import _NAME_SHAPE

    if re.fullmatch(r"(?:[A-Z]\.){1,3}[A-Z]?\.?", word):
        return True  # "U.S.", "D.C.": initials, as names and places are written
    word = word.strip(".,;:()'’")
    # lower case says nothing here (the name recognizer reads lower-case text); mixed case does
    return word.islower() or (word.isupper() and word.isalpha()) or bool(_NAME_SHAPE.fullmatch(word))


_MEDICAL_TYPES = frozenset({"MEDICATION", "MEDICAL_CONDITION", "CLINICAL_TERM"})


def _drugs_and_diseases_not_names(text: str, cands: list[Candidate]) -> list[Candidate]:
    """"Can Plavix and ...", "Mounjaro 5 mg": NER's person or place over a drug or disease
    the lexicons know is the drug or disease."""
    medical = [c for c in cands if c.entity_type in _MEDICAL_TYPES]
    if not medical:
        return cands
    return [
        c for c in cands
        if not (c.entity_type in ("PERSON", "LOCATION") and any(m.start < c.end and c.start < m.end for m in medical)
                and (c.recognizer in STATISTICAL_RECOGNIZERS or c.recognizer == "NameRecognizer"
                     and _words_beside_drug(text, c, medical)))
    ]


def _words_beside_drug(text: str, c: Candidate, medical: list[Candidate]) -> bool:
    """"Given Albuterol", "HYDRALAZINE GIVEN": the name recognizer's "name" is a drug and
    English words (a verb of giving), with no title before it."""
    from .names.lexicons import fold, load_lexicons

    if _HONORIFIC.search(text, max(0, c.start - 12), c.start) or "," in text[c.start : c.end]:
        return False
    lex = load_lexicons()
    drugs = [d for d in medical if d.entity_type == "MEDICATION"]
    if not any(d.start < c.end and c.start < d.end for d in drugs):
        return False
    rest = [fold(m.group()) for m in _TOKEN.finditer(text, c.start, c.end)
            if not any(d.start <= m.start() and m.end() <= d.end for d in drugs)]
    # the words beside the drug are English words, names only as WordNet's words are ("given")
    return all(k in STOP_WORDS or k in lex.dictionary and (not lex.is_name(k) or k in lex.ambiguous) for k in rest)


@lru_cache(maxsize=1)
def _clinical_vocabulary() -> frozenset[str]:
    from .names.lexicons import load_lexicons

    lex = _lexicons()
    words = _lexicon("clinical_words.txt") + _lexicon("medical_words.txt")
    # eponyms are in clinical_words.txt for the doubt pass, but they are surnames too; and a
    # given name there ("Grace", "Ann") must not make NER's "daughter Grace" vocabulary
    return frozenset(_key(w) for w in words) - lex.eponyms - lex.diseases - load_lexicons().first


# Findings whose words are clinical, not names: a span around one of them is read again.
_CLINICAL_TYPES = frozenset({"MEDICATION", "MEDICAL_CONDITION", "CLINICAL_TERM"})
_SPAN_TOKEN = re.compile(r"[^\W_][\w'’.%/-]*")
_UNIT = re.compile(r"(?i)(?:mg|mcg|g|kg|lbs?|ml|l|dl|mmol|meq|iu|units?|cm|mm|mmhg|bpm|%)[/.\w]*")
_ROMAN = re.compile(r"[IVX]{1,4}")


def _clinical_phrase(text: str, c: Candidate, terms: list[Candidate]) -> bool:
    """A span NER took for a name that is made of a drug, condition or clinical term,
    numbers, units, abbreviations and ordinary words: "Mounjaro 5", "Can Plavix", "LDL 190",
    "Cr 2.1", "Wt 88.2 kg", "Schedule II", "Hx Hodgkin lymphoma 2011".  Names do not come
    with numbers or drug names inside them.  Each word must be one of these and one at
    least a term or a number (or, in a longer "person", an acronym: "Summarise DAPA-HF");
    a word that is a given name or surname and no term keeps the finding, and an
    abbreviation alone ("U.S.") is left to the other rules."""
    if c.recognizer not in STATISTICAL_RECOGNIZERS:
        return False
    from .names.lexicons import load_lexicons

    lex = load_lexicons()
    common = _common()
    tokens = list(_SPAN_TOKEN.finditer(text, c.start, c.end))
    strong = False
    for m in tokens:
        a, b, word = m.start(), m.end(), m.group().rstrip(".")
        key = _key(word)
        if any(t.start <= a and b <= t.end for t in terms) or any(ch.isdigit() for ch in word):
            strong = True
        elif _ROMAN.fullmatch(word) and len(tokens) > 1:
            strong = True  # "Schedule II"
        elif _UNIT.fullmatch(word) or key in STOP_WORDS:
            continue  # "kg", "Can"
        elif key in lex.first or key in lex.last or len(word) == 1:
            return False  # a name, or an initial ("Gabby R.")
        elif (word.isupper() and len(word.replace("-", "")) <= 6 and all(len(p) <= 4 for p in word.split("-"))) or (
            len(word) <= 3
        ):
            strong = strong or (c.entity_type == "PERSON" and len(tokens) > 1)  # "LDL", "DAPA-HF", "Cr", "Hx"
        elif key in common:
            continue  # "Schedule"
        elif a == c.start and _sentence_start(text, a) and key.endswith(("ise", "ize")):
            continue  # "Summarise DAPA-HF": the verb that opens the request
        else:
            return False
    return strong


def _word_after_title(text: str, c: Candidate) -> bool:
    """"my doctor said i ...": in lower-case text the name recognizer takes the word after
    "doctor" for a name; a frequent English word there is what the doctor did."""
    value = text[c.start : c.end]
    if c.entity_type != "PERSON" or not value.isalpha() or not value.islower():
        return False
    if not re.search(r"\b(?:doctor|doc|dr|nurse|provider|surgeon)\.?[ \t]+$", text[max(0, c.start - 12) : c.start], re.I):
        return False
    from .names.lexicons import load_lexicons

    return _key(value) in load_lexicons().dictionary and _key(value) in _FREQUENT_VERBS


# What a doctor does, right after "doctor" in a message: not a name.
_FREQUENT_VERBS = frozenset(
    """said says told tells thinks thought wants wanted asked asks recommended recommends suggested suggests
    prescribed prescribes ordered orders mentioned explained gave gives put started stopped changed increased
    decreased upped lowered switched added took referred diagnosed found noticed called sent wrote checked
    did does is was has had will would could should might may can""".split()
)


def _inside_score(c: Candidate, scores: list[re.Match[str]]) -> bool:
    return any(m.start() <= c.start and c.end <= m.end() for m in scores)


_INITIAL_FIRST = re.compile(r"[A-Z]\.[ \t]?[A-Za-z]")


def _eponym_term(text: str, c: Candidate) -> bool:
    lex = _lexicons()
    value = text[c.start : c.end]
    if c.recognizer == "ShorthandNameRecognizer" and c.entity_type == "LOCATION" and (
            re.search(r"[ \t]\d[A-Za-z]?$", value) or _DAY_AFTER.match(text, c.end)):
        return False  # "TRANSFERRED TO PEMBERTON 5", "AT HOME IN CARVER 1/22": a ward or a town behind its cue, not a sign
    words = [w for w in _TOKEN.findall(value) if w.lower() not in ("and", "non", "de", "von", "van", "en", "y", "the")]
    if not words or _HONORIFIC.search(text, max(0, c.start - 12), c.start) or _INITIAL_FIRST.match(value):
        return False  # "Dr. Parkinson", "K. BAKER IN TO STRIP TUBES": a person, not a sign or a disease
    keys = [_key(w) for w in words if not w.isdigit() and not re.fullmatch(r"[IVX]+", w)]
    if not keys:
        return False
    if len(keys) > 1 and keys[0] not in lex.eponyms and _sentence_start(text, c.start) and keys[0] in _common():
        keys = keys[1:]  # "Explain Kussmaul breathing": NER took the verb that opens the question
    if len(keys) == 1 and keys[0] in _STANDALONE:
        return True
    if not any(k in lex.eponyms or k in lex.diseases for k in keys):
        return False
    if not all(k in lex.eponyms or k in lex.diseases or k in _HEADS for k in keys):
        return False
    if any(k in _HEADS for k in keys[1:]) or (len(words) > len(keys) and words[0][:1].isalpha()):
        return True  # a head or a grade inside the finding: "Gleason 4+4", "Killip II"
    if _possessive_disease(text, c, keys, lex) or text[max(0, c.start - 4) : c.start].lower().endswith("non-"):
        return True
    if "-" in value and all(_key(p) in lex.eponyms or _key(p) in lex.diseases for p in value.split("-")):
        return True  # "Guillain-Barré", "Creutzfeldt-Jakob": no one is named so
    if _FINDING_BEFORE.search(text, max(0, c.start - 12), c.start):
        return True
    if len(keys) > 1 and "-" in text[c.start : c.end] and any(k in lex.diseases for k in keys):
        return True  # "Guillain-Barré", "Creutzfeldt-Jakob": a disease named by two eponyms
    return _head_follows(text, c.end, lex) or _GRADE_AFTER.match(text, c.end) is not None


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \t\"'(")
    return not before or before[-1] in ".!?:\n"


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from .wordsets import common_words, first_names

    return common_words() - first_names()


def _possessive_disease(text: str, c: Candidate, keys: list[str], lex: _Lexicons) -> bool:
    """"Parkinson's", "Crohn’s": a disease eponym, possessive, whether or not NER kept the 's."""
    around = text[max(c.start, c.end - 2) : c.end + 2].replace("’", "'")
    return keys[-1] in lex.diseases and "'s" in around


def _head_follows(text: str, end: int, lex: _Lexicons) -> bool:
    """Within four words after ``end``: a head word, passing only eponyms and joiners
    ("Child-Pugh class", "Hodgkin and non-Hodgkin lymphoma", "Tinel's sign")."""
    for n, m in enumerate(_TOKEN.finditer(text, end, min(len(text), end + 60))):
        gap = text[end if n == 0 else prev_end : m.start()]
        if "\n" in gap or any(ch in gap for ch in ".,;:()"):
            return False
        key = _key(m.group())
        if key in _HEADS or key in _FINDINGS:
            return True
        if n >= 4 or not (key in lex.eponyms or key in _MODIFIERS or key in ("and", "or", "non", "s", "en", "y", "both")):
            return False
        prev_end = m.end()
    return False


_DOTTED_COUNTRIES = frozenset({"US", "UK", "USA", "EU", "UAE"})


def _abbreviation(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end]
    if re.fullmatch(r"(?:[A-Z]\.){1,2}[A-Z]\.?", value) or (value.islower() and len(value) <= 4):
        value = value.replace(".", "").upper()  # "RETURNED TO O.R.", "spoke to md and rn"
        if value not in _ABBREVIATIONS or value in _DOTTED_COUNTRIES:
            return False  # "the U.S.": a country is written so
    if value not in _ABBREVIATIONS:
        # "OA", "RV", "GDR": a short capitals word NER calls a place is an abbreviation,
        # unless it is a state or country code
        return (c.entity_type == "LOCATION" and c.recognizer in STATISTICAL_RECOGNIZERS and bool(re.fullmatch(r"[A-Z]{2,4}", value))
                and value not in _lexicons().region_codes)
    return not (value in _lexicons().region_codes and _STATE_AFTER_TOWN.search(text, max(0, c.start - 40), c.start))


def _month(text: str, c: Candidate) -> bool:
    value = text[c.start : c.end].strip(".")
    if c.entity_type != "PERSON" or value.lower() not in _MONTHS:
        return False
    before = text[max(0, c.start - 20) : c.start]
    return bool(_MONTH_CUE_BEFORE.search(before) or _MONTH_CUE_AFTER.match(text[c.end : c.end + 12]))


def _reading_not_date(text: str, c: Candidate) -> bool:
    """A fraction that is a reading or a dose ("BP 120/80", "pain 7/10", "1/2 tab")."""
    value = text[c.start : c.end]
    fractions = list(_FRACTION.finditer(value))
    if not fractions:
        return False
    for m in fractions:
        if not _reading(text, c.start + m.start(), c.start + m.end(), int(m.group(1)), int(m.group(2))):
            return False
    return not _DATE_LEFT.search(_FRACTION.sub(" ", value))


_LAB_VALUE = re.compile(r"(?:([^\W\d_][\w-]*)[ \t:=]+)?\d{1,3}\.\d{1,2}")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w-]*)[ \t:=]+$")


def _lab_value(text: str, c: Candidate) -> bool:
    """"hba1c 9.1", "K 3.1": a decimal after a lab or clinical word is a value, not a date."""
    m = _LAB_VALUE.fullmatch(text[c.start : c.end])
    if m is None:
        return False
    word = m.group(1) or ((w := _WORD_BEFORE.search(text, max(0, c.start - 20), c.start)) and w.group(1))
    if not word or _key(word) in STOP_WORDS:  # "on 3.14" may be a date
        return False
    return _key(word) in _clinical_vocabulary() or word.upper() in _ABBREVIATIONS or len(word) <= 3


# What a span still needs, once its readings are taken out, to be a date.
_DATE_LEFT = re.compile(
    rf"(?i)\b{alternation(MONTH_STEMS)}[a-z]*\b|(?<!\d)(?:19|20)\d\d(?!\d)|\d{{1,2}}[-.]\d{{1,2}}"
)
_DECIMAL_AFTER = re.compile(r"\.\d")
_WORD_BEFORE = re.compile(r"([A-Za-z]{3,})[ \t:]+$")
# a weekday too: "admitted Sunday 4/10" is a day, not a rating out of ten
# and what is done or checked on a day: "weaned off 3/10", "INR check 3/10", "first delivery 10/10"
_DATE_WORDS = frozenset("on since from until till by dated seen visit due before after in of off check delivery appt "
                        "appointment scheduled".split()) | frozenset(
    WEEKDAYS) | frozenset(WEEKDAY_ABBREVIATIONS) - {"sat", "sun"}  # "sat" and "sun" are words in notes
_HISTORY_BEFORE = re.compile(rf"(?i)(?:{HISTORY_CUE}[ \t:-]*|\(|[a-z]{{2}})$")
_READING_BEFORE = re.compile(r"(\d{1,3})/(\d{1,3})[ \t]*(?:to|->|-|,|then|and|now)[ \t]*$")
# The word right before a month/day: "PEG 9/10", "trached 9/9", "on 3/21".
_WORD_RIGHT_BEFORE = re.compile(r"([A-Za-z]{2,})(?:['’]?d|['’]?ed)?[ \t:]*$")
_EVENT_WORDS = frozenset(
    "placed inserted removed started stopped began extubated intubated reintubated admitted readmitted transferred "
    "discharged arrested coded bled bleed fell fall operated stented trached pegged".split()
)
_SURGICAL_SUFFIX = re.compile(r"[a-z]{3,}(?:ectomy|otomy|ostomy|plasty|oscopy|centesis)")
_DAY_PREPOSITIONS = frozenset("on since dated until till thru through".split())


def day_of_an_event(text: str, start: int, b: int) -> bool:
    """A month/day right after a procedure or an event is the day it happened ("PEG 9/10",
    "trached 9/9", "bleed 8/19"), and after "on" or "since" unless it reads as a score or a
    setting out of ten or less ("on 3/21", but "on 10/5" may be a ventilator's setting)."""
    m = _WORD_RIGHT_BEFORE.search(text, max(0, start - 24), start)
    if m is None:
        return False
    word = m.group(1).lower()
    if word in _DAY_PREPOSITIONS:
        return b > 10
    return word in _EVENT_WORDS or word in _lexicons().procedures or bool(_SURGICAL_SUFFIX.fullmatch(word))


def _reading(text: str, start: int, end: int, a: int, b: int) -> bool:
    if a <= 12 and b > 31:  # "s/p CABG 4/97", "died 2/97": a month and a two-digit year (dates.py)
        if _HISTORY_BEFORE.search(text, max(0, start - 12), start):
            return False
        cue = _FRACTION_CUE_BEFORE.search(text[max(0, start - 40) : start])
        return bool(cue and cue.group("cue")) or bool(_FRACTION_CUE_AFTER.match(text[end : end + 30]))  # "PEEP 5/40"
    if a > 12 and b > 12 or b > 31 or a > 31 or a == 0 or b == 0:
        return True  # not a month and day either way round
    if (start and text[start - 1] == ".") or _DECIMAL_AFTER.match(text, end):
        return True  # "10.4/31.2": two lab values
    if a <= 12 and day_of_an_event(text, start, b):
        return False
    before = text[max(0, start - 40) : start]
    if b == 10 and a <= 10 and (word := _WORD_BEFORE.search(before)) and word.group(1).lower() not in _DATE_WORDS:
        return True  # "Fatigue 6/10", "anxiety 8/10": a rating, not June 10
    if b <= 10 and re.search(rf"(?<![\d/.])\d{{1,2}}/{b}(?![\d/])", text[max(0, start - 60) : start]):
        return True  # "5/5 on the right and 3/5 on the left"
    cue = _FRACTION_CUE_BEFORE.search(before)
    if cue and cue.group("cue") and cue.group("cue").lower() in _COUNTS_OF_DAYS and a > b:
        cue = None  # "day 3/7" counts days; "to complete 14 days (12/3)" ends on a day
    if (cue and not _UNTIL_BEFORE.search(before)) or _FRACTION_CUE_AFTER.match(text[end : end + 30]):
        return True
    if a <= b <= 6 and (_COUNT_AFTER.match(text, end) or _COUNT_BEFORE.search(before)):
        return True  # "2/4 bottles", "bcx 2/2 gpc": bottles grown of those drawn ("from 4/27 cultures" is a day)
    if b == 10 and a <= 10 and re.search(r"(?i)\bpain\b", text[max(0, start - 60) : end + 30]):
        return True  # pain scales
    prior = _READING_BEFORE.search(before)
    return bool(prior and prior.group(2) == str(b))  # "from 8/10 to 3/10"


# -- GENERAL types -------------------------------------------------------------------------


_CREDENTIAL_AFTER = re.compile(r",?[ \t]+(?:RN|MD|DO|NP|PA-C|LPN|CNA|PharmD|APRN|CRNA|CNM|LCSW|LMFT|DPT|PhD)\b")


def retype_general(text: str, cands: list[Candidate]) -> list[Candidate]:
    for c in cands:
        value = text[c.start : c.end]
        if c.entity_type == "DATE_TIME" and _YEAR_ALONE.fullmatch(value.strip()) and not is_year_month(value.strip()):
            c.entity_type = "DATE_YEAR"
        elif c.entity_type == "LOCATION" and _is_region(text, c, value):
            c.entity_type = "REGION"
        elif c.entity_type == "PERSON" and _is_region(text, c, value) and _PLACE_CUE.search(
            text, max(0, c.start - 20), c.start
        ) and not _CREDENTIAL_AFTER.match(text, c.end):  # "report from Jordan, RN" is a nurse
            c.entity_type = "REGION"  # "travel to Kenya or Tanzania"
    return cands


def general_type(value: str) -> str | None:
    """``DATE_YEAR`` or ``REGION`` when ``value`` alone is a year or a state, country or
    larger region (what Safe Harbor does not count as an identifier), else None."""
    value = value.strip(" .,")
    if _YEAR_ALONE.fullmatch(value) and not is_year_month(value):
        return "DATE_YEAR"
    lex = _lexicons()
    if value.isupper() and len(value) <= 3:
        return "REGION" if value in lex.region_codes else None
    return "REGION" if _key(re.sub(r"^the\s+", "", value, flags=re.IGNORECASE)) in lex.regions else None


_STATE_CODE_AFTER = re.compile(r"[ \t]*,?[ \t]*([A-Z]{2})\b(?![ \t]*[a-z])")


def _is_region(text: str, c: Candidate, value: str) -> bool:
    lex = _lexicons()
    value = value.strip(" .,")
    if value.isupper() and len(value) <= 3:
        return value in lex.region_codes
    key = _key(re.sub(r"^the\s+", "", value, flags=re.IGNORECASE))
    if key not in lex.regions or (code := _STATE_CODE_AFTER.match(text, c.end)) and code.group(1) in lex.region_codes:
        return False  # "home in Lebanon NH": a country's name before a state's code is a town
    if key in _GIVEN_NAME_REGIONS:
        return bool(_STRONG_PLACE_CUE.search(text, max(0, c.start - 20), c.start))
    return True
