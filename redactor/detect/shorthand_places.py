"""Places that nursing shorthand names by context alone, in any case: hospitals, wards
and towns.  In a note typed in capitals or in lower case no capital letter tells a
place, and many wards and hospitals are named after people or after words, so what
tells them is the cue a reader uses:

- *an abbreviation behind an admission or transfer cue*: "ADMITTED TO SJH", "dc'd
  from bvh"; one shaped like a hospital's (ending in H or MC) also behind "leave",
  "come to", "seen by", "consult from the" or "in"; any abbreviation before a
  hospital unit ("from WH TCU", "to bh cath lab");
- *a name of two or three capitalised words behind an admission cue*, none a word of a sentence,
  a unit or a word that describes a facility: "ADMITTED 11/27 FROM SLATE HOLLOW, ICU DAY 11";
- *a head word*: "sent to kelso hosp", "MEDFLIGHT FROM LAKEVIEW MED CTR", "Whitcomb
  Memorial" or "WHITCOMB MEM", "Harlow General", "Brennan Assisted Living"; past the words
  that describe a facility ("TAKEN TO KELLER COMMUNITY HOSP");
- *a name before an emergency room behind a move cue*: "TAKEN BY AMBULANCE TO KELLER FALLS
  ER"; *a home by its name*: "admitted from brackley house", "FROM ST. AGATHA'S HOME", "99 YO
  M FROM HASKETT HOUSE" (a facility, named again by its first word: "RETURN TO HASKETT");
- *a religious name behind a cue, with or without a head*: "accepted at Holy
  Redeemer", "to good shepherd", "bed @ St B.", "our lady of mercy";
- *a ward*: a word that is no clinical or dictionary word (behind an admission cue, also a
  name that is a rare English word too: "transferred to kestrel 3"), behind a transfer cue (or
  "PLAN:", "dispo:") and before a floor number ("transfer to penhallow 3 with chf"; after a
  bare "to" or "on" the number ends the clause: "FOUND ON HALVORSEN 6.", not "order to
  transfuse 2 units"); later mentions of a ward found once are that ward too ("tillman 2 or
  tillman 3");
- *a town behind a place cue*: a known place or US town after "lives in", "returned
  to", "job in", "vacation in" or before "area" ("in dundalk area"); after a bare
  "from" or "in" too where the place ends the phrase ("called from bangor.", "MVC IN
  LEWISTON AT 0200"; not "in Miami J collar"), unless it is a word of care ("in bath") or
  a town that is also a name or a word; a town before its police, fire, rescue or EMS
  ("HINGHAM RESCUE"); a named coast or shore after a trip ("vacation on the Outer Banks").

A hospital abbreviation must not be a unit or service ("TO MICU", "FROM OR", "TO EP"),
clinical shorthand ("LEAVE NGT"), a clinical abbreviation that ends in H (LVH, SAH) or
a state ("FROM NH"); a ward's or a town's single word must not be shorthand.
``ShorthandNameRecognizer`` reports what this module finds, so the shorthand safe
patterns (``shorthand.py``) leave it be.
"""

from __future__ import annotations

import regex as re
from spacy.lang.en.stop_words import STOP_WORDS

from .clinical import _ABBREVIATIONS, _clinical_vocabulary, _lexicons
from .facilities import _person_name, _sentence_word
from .facility_heads import _is_generic
from .names.cues import _PLACE_CUE_BEFORE, _US_STATE_CODES
from .names.lexicons import fold, load_lexicons
from .shorthand import _shorthand_terms, shorthand_word
from .word_forms import misspelt
from .wordsets import words_for_doubts

__all__ = ["shorthand_places"]

Place = tuple[str, int, int, float]
# Above spaCy's 0.85: Presidio keeps one of two same-type results on the same span (or one
# inside the other) by score, and the shorthand safe patterns then drop NER's reading of a
# place made of words ("Bel Air") but not this one, which its cue vouches for.
SCORE = 0.86

_W = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]+)?"
_ADMIT_VERB = (r"(?:admitted|admit|adm|readmitted|transferred|transfered|transfer|trans|xfer|xferred|sent|taken|"
               r"brought|medflighted|medflight|flown|came|come|comes|coming|presented|returned|referred|discharged|"
               r"d/?c'?d|accepted|excepted|screened|evaluated|followed|arrived)")
_ADMIT_CUE = rf"{_ADMIT_VERB}(?:[ \t]+(?:back|over|here|in|him|her|pt))?[ \t]+(?:to|from|at|into|in|by)[ \t]+(?:the[ \t]+)?"
_ADMIT_ACRONYM = re.compile(rf"(?i)\b{_ADMIT_CUE}(?-i:([A-Z]{{2,5}}|[a-z]{{2,4}}))(?![\w'’-])")
# A hospital's own shape, "BVH", "sjmc": behind any move or place word.
_HOSPITAL_ACRONYM = re.compile(
    r"(?i)(?:\b(?:leave|leaving|to|from|at|in|by|@)[ \t]+(?:the[ \t]+)?|@[ \t]*)"
    r"(?-i:([A-Z]{1,3}H|[A-Z]{1,4}MC|[a-z]{1,3}h|[a-z]{1,4}mc))(?![\w'’/-]|[ \t]*[\d.]*\d)"
)
# A hospital by its name before its emergency room, behind a cue that moves the patient:
# "TAKEN BY AMBULANCE TO KELLER FALLS ER", not "to the ER", "TO MAIN ER" or "from OR ER".
_NAMED_ER = re.compile(rf"(?i)\b{_ADMIT_VERB}(?:[ \t]+(?:by[ \t]+(?:ambulance|ems|car|family)|back|emergently))?"
                       rf"[ \t]+(?:to|from|at)[ \t]+((?:{_W}[ \t]+){{1,2}}?)(?:er|ed|emergency[ \t]+(?:room|dept|department))\b")
_PLACE_WORDS = frozenset("valley falls river lake hill hills city county mount mt springs harbor bay".split())
# Clinical abbreviations shaped like a hospital's: left ventricular hypertrophy, not a hospital.
_CLINICAL_H = frozenset(
    """OSH LVH RVH BPH SAH ICH IVH PPH SDH EDH TSH FSH ACTH PTH ADH NPH CAH LDH MPH KOH AVH SIADH PH FH SH DH
    IMC CMC PMC TMC MC NH CH""".split()
)  # CH: "OOB to ch", a chair
# An abbreviation before a hospital's unit is the hospital: "from WH TCU", "to bh cath lab".
_BEFORE_UNIT = re.compile(
    r"(?i)\b(?:to|from|at|in|of)[ \t]+(?:the[ \t]+)?(?-i:([A-Z]{2,5}|[a-z]{2,4}))[ \t]+"
    r"(?:tcu|er|ed|ew|icu|ccu|micu|sicu|csru|cath[ \t]*lab|emergency[ \t]+(?:room|dept|department))\b"
)
_HEAD = (r"(?:hosp(?:ital)?|hospiatal|med(?:ical)?\.?[ \t]+c(?:en)?t(?:e)?r|mem(?:orial)?|general|campus|"
         r"nursing[ \t]+home|assisted[ \t]+living|rehab(?:ilitation)?[ \t]+(?:center|hospital))")
_HOSPITAL = re.compile(rf"(?i)(?<![\w'’-]){_HEAD}\b\.?")
_WORDS_BEFORE = re.compile(rf"(?<![\w'’-])(?:{_W}[ \t]+){{1,3}}$")  # up to three words right before a head
# Cheap searches that rule most texts out before the costlier patterns run.
_HEAD_HINT = re.compile(r"(?i)hosp|med|mem|general|campus|nursing|assisted|rehab")
_RELIGIOUS_HINT = re.compile(r"(?i)holy|sacred|good[ \t]+s|lady")
_SAINT_HINT = re.compile(r"(?i)\b(?:st|saint)\b")
_UNIT_HINT = re.compile(r"(?i)\b(?:tcu|er|ed|ew|icu|ccu|micu|sicu|csru|cath|emergency)\b")
# "Holy Redeemer", "good shepherd", "Our Lady of Mercy", "St B.": a hospital without a head.
_CUE = r"(?:\b(?:at|to|from|in|into)[ \t]+(?:the[ \t]+)?|@[ \t]*|\()"
_RELIGIOUS = re.compile(
    rf"(?i){_CUE}((?:holy|sacred)[ \t]+(?!(?:communion|spirit|ghost|water|bible|scripture|eucharist|oil|orders|"
    rf"rosary|week|day|land|book|cow|grail|smoke|moly|hell|terror)\b){_W}|good[ \t]+(?:samaritan|shepherd)|"
    rf"our[ \t]+lady[ \t]+of[ \t]+(?:the[ \t]+)?{_W})(?:[ \t]+{_HEAD}\b\.?)?"
)
_SAINT = re.compile(rf"(?i){_CUE}((?:st|saint)\.?[ \t]+(?:([a-z])\.|({_W})))(?![\w'’-])")
_SAINT_HOME = re.compile(rf"(?i)[ \t]+(?:home|house|manor|villa|{_HEAD})\b\.?")
# A residence or care home by its name behind a cue that moves the patient, a bare "from" or "lives at":
# "admitted from brackley house", "RETURNED TO ELMCROFT COMMONS", "99 YO M FROM HASKETT HOUSE"; its first
# word no English word ("from daughter's house").  A facility: the note may name it again by its first word.
_NAMED_HOME = re.compile(rf"(?i)(?:\b{_ADMIT_VERB}(?:[ \t]+(?:back|here|pt))?[ \t]+(?:to|from|at)|\bfrom|"
                         rf"\b(?:lives|living|resides|residing)[ \t]+at)[ \t]+(?:the[ \t]+)?"
                         rf"((?:{_W}[ \t]+){{1,2}}?(?:house|village|commons|gardens|terrace|residence|estates|lodge))\b")
_HOME_HINT = re.compile(r"(?i)house|village|commons|gardens|terrace|residence|estates|lodge")
_WARD = re.compile(rf"(?i)(?:\b(?:to|from|on|at)|\b(?:plan|dispo)[ \t]*:)[ \t]+({_W})[ \t]{{0,2}}([1-9][A-Za-z]?)"
                   r"(?:/[1-9])?(?![\w/%-]|\.\d)"
                   r"(?![ \t]*(?:mcg|mg|units?|u|cc|ml|l|lpm|%|hrs?|hours?|days?|x|times|mm|cm)\b)")
# Behind a bare "to" or "on" the floor number ends the clause: not "order to transfuse 2 more units".
_CLAUSE_END = re.compile(r"(?i)[ \t]*(?:$|[\n.,;:)!?@]|w/|(?:today|tonight|tomorrow|tmrw|when|once|if|or|and|in|on|at|"
                         r"for|later|asap|soon|now|this|bed|am|pm|north|south|east|west)\b)")
_ADMIT_BEFORE = re.compile(rf"(?i)\b{_ADMIT_VERB}(?:[ \t]+(?:back|over|here|in|him|her|pt|\d[\d/:-]*))*[ \t]+"
                           r"(?:to|from|at|into|in)[ \t]+(?:the[ \t]+)?$")  # "admitted 3/2 to ashgrove 4 with chf"
# Units and services written where a hospital could be: "TO MICU", "FROM OR", "TO EP LAB".
_UNITS = frozenset(
    """ICU MICU SICU CCU CSRU CVICU TSICU NSICU PICU NICU PACU TCU ED ER EW EU OR EP IR CT MRI CATH LAB
    OSH NH SNF ICF LTAC LTACH REHAB VNA PT OT SW HO MD NP RN PA RRT PCU VICU IMC SDU CTICU TICU CICU RICU BMT
    CDU EMU HDU MSICU CCRU OBS TELE BB""".split()  # BB: the blood bank
)
# Towns: behind "lives in", "returned to" (names/cues.py) or a job, a home or a trip; before "area".
_TOWN_CUE = re.compile(r"(?i)\b(?:job|jobs|home|house|apartment|condo|vacation(?:ing|ed)?|trip)[ \t]+(?:\w+[ \t]+)?"
                       r"(?:in|at|near|to)[ \t]+$")
_TOWN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*){0,2}")
_TOWN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_AREA = re.compile(r"(?i)\b(?:in|near|around)[ \t]+(?:the[ \t]+)?((?:[a-z][a-z'’-]*[ \t]+){1,3}?)area\b"
                   # "brought in by framingham police", "WORCESTER PD", "HUDSON RESCUE": a town's police, fire or ambulance
                   r"|(?<![\w'’-])((?:[a-z][a-z'’-]*[ \t]+){1,2}?)(?:police|pd|fire|fd|rescue|ems|ambulance)\b")
# "vacation on the Outer Banks", "summers on the Jersey Shore": a named coast after a trip or a stay.
_COAST = re.compile(r"(?:the[ \t]+)((?:[A-Z][a-z]+[ \t]+){1,2}(?:Shore|Coast|Banks|Keys|Islands?|Cape|Valley|Mountains|"
                    r"Hills|Lakes))\b")
_STAY_CUE = re.compile(r"(?i)\b(?:vacation(?:ing|ed)?|trip|holiday|live[sd]?|living|spent|spends|summers?|winters?|"
                       r"stay(?:ing|ed)?|went|drove|moved|visiting|home|house|from)\b[^.\n]{0,25}$")


def _name_word(word: str) -> bool:
    """Not shorthand, not a frequent word, and long enough to be a name."""
    return len(word) > 1 and not shorthand_word(word) and fold(word) not in STOP_WORDS


def _unlisted(word: str) -> bool:
    """No word of any list, and no word typed wrong: after a relation word, a name no list holds ("WIFE NOMSA");
    hyphenated, parts of two letters or more that name lists hold and are no shorthand or frequent word
    ("WIFE SUN-HEE", not "WIFE WELL-INFORMED" or "HUSBAND X-RAY")."""
    if "-" in word:
        lex = load_lexicons()
        return all(len(p) >= 2 and _name_word(p) and lex.is_name(fold(p)) and fold(p) not in lex.common
                   for p in word.split("-"))
    return len(word) >= 4 and _name_word(word) and _unlisted_word(word) and not _slip_of_a_word(word)


def _unlisted_word(word: str) -> bool:
    return fold(word) not in load_lexicons().dictionary and fold(word) not in _clinical_vocabulary()


def _slip_of_a_word(word: str) -> bool:
    """A known word typed with a letter too many, missing, wrong or swapped ("VISTED")."""
    return misspelt(fold(word), words_for_doubts())


def _unit(word: str) -> bool:
    """A unit, service, clinical abbreviation or state: "MICU", "OR", "MD"."""
    up = word.upper()
    return up in _UNITS or up in _ABBREVIATIONS or up in _lexicons().region_codes or fold(word) in STOP_WORDS


def _shorthand(word: str) -> bool:
    """An abbreviation of the clinical vocabulary, or a frequent or dictionary word ("TLC", "FLOOR")."""
    key = fold(word)
    lex = load_lexicons()
    return key in _shorthand_terms() or key in _clinical_vocabulary() or key in lex.common \
        or key in lex.dictionary and len(key) >= 4


def _acronyms(text: str) -> list[Place]:
    out = []
    for m in _ADMIT_ACRONYM.finditer(text):
        if not (_unit(m.group(1)) or _shorthand(m.group(1))):
            out.append(("LOCATION", m.start(1), m.end(1), SCORE))  # "ADMITTED TO SJH", not "TO MICU", "FROM TLC"
    for m in _HOSPITAL_ACRONYM.finditer(text):
        word = m.group(1)
        if not (_unit(word) or word.upper() in _CLINICAL_H or fold(word) in load_lexicons().dictionary and len(word) >= 4):
            out.append(("LOCATION", m.start(1), m.end(1), SCORE))  # "LEAVE BVH", not "LEAVE ICU", "IN LVH"
    for m in _BEFORE_UNIT.finditer(text) if _UNIT_HINT.search(text) else ():
        word = m.group(1)
        if not (_unit(word) or word.upper() in _CLINICAL_H or fold(word) in _shorthand_terms()
                or fold(word) in load_lexicons().dictionary and len(word) >= 4):
            out.append(("LOCATION", m.start(1), m.end(1), SCORE))  # "FROM WH TCU", not "FROM CSRU ICU"
    for m in _NAMED_ER.finditer(text) if _UNIT_HINT.search(text) else ():
        words = m.group(1).split()
        if _name_word(words[0]) and len(words[0]) >= 4 and all(_name_word(w) or _known(w) or fold(w) in _PLACE_WORDS
                                                             for w in words):
            out.append(("LOCATION", m.start(1), m.start(1) + len(m.group(1).rstrip()), SCORE))  # "TO KELLER FALLS ER"
    return out


def _hospitals(text: str) -> list[Place]:
    out = []
    lex = load_lexicons()
    for m in _HOSPITAL.finditer(text) if _HEAD_HINT.search(text) else ():
        before = _WORDS_BEFORE.search(text, max(0, m.start() - 90), m.start())
        if not before:
            continue
        words = before.group().split()
        named = len(words)  # "KELLER COMMUNITY HOSP": the name is before the words that describe a facility
        while named and _is_generic(words[named - 1]) and fold(words[named - 1]) not in STOP_WORDS:
            named -= 1
        k = named  # the name is the words right before the head, back to a stop or frequent word
        while k and not (fold(words[k - 1]) in STOP_WORDS or fold(words[k - 1]) in lex.common
                         or fold(words[k - 1]) in _shorthand_terms() or words[k - 1].upper() in _ABBREVIATIONS):
            k -= 1
        if k == named:
            continue
        words = words[k:]
        if not (_name_word(words[named - k - 1]) or _known(words[named - k - 1])):
            continue
        start = before.start() + before.group().rfind(" ".join(words))
        out.append(("LOCATION", start, m.end(), SCORE))
    for m in _RELIGIOUS.finditer(text) if _RELIGIOUS_HINT.search(text) else ():
        out.append(("LOCATION", m.start(1), m.end(), SCORE))
    for m in _SAINT.finditer(text) if _SAINT_HINT.search(text) else ():
        word = m.group(3)
        if word is None or _name_word(word) or fold(word) in lex.first:
            end = m.end() - (text[m.end() - 1] == "." and word is not None)
            if word is not None and (home := _SAINT_HOME.match(text, m.end())):
                end = home.end()  # "FROM ST. AGATHA'S HOME": the home is part of the name
            out.append(("LOCATION", m.start(1), end, SCORE))  # "bed @ St B.", "to st agnes", not "to ST elevation"
    for m in _NAMED_HOME.finditer(text) if _HOME_HINT.search(text) else ():
        words = m.group(1).split()[:-1]
        if not re.search(r"['’]", m.group(1)) and _name_word(words[0]) and len(words[0]) >= 4 and fold(words[0]) not in lex.dictionary \
                and all(_name_word(w) or _known(w) for w in words):
            out.append(("HEALTHCARE_FACILITY", m.start(1), m.end(), SCORE))  # "admitted from brackley house"
    return out


def _known(word: str) -> bool:
    """A name list holds it, and it is no frequent, clinical or stop word ("KOWALCZYK", not "AWARE")."""
    lex = load_lexicons()
    key = fold(word)
    return lex.is_name(key) and key not in _shorthand_terms() and key not in lex.common and key not in STOP_WORDS \
        and key not in _clinical_vocabulary() and word.upper() not in _ABBREVIATIONS


# Parts of a hospital that a surname list holds too: "TRANSFERRED TO TOWER 4", "to ward 5" name no ward.
_BUILDING_PARTS = frozenset("tower wing suite hall cart gurney room ward".split())


def _wards(text: str) -> list[Place]:
    out = []
    names = set()
    lex = load_lexicons()
    for m in _WARD.finditer(text):
        word = m.group(1)
        if len(word) < 4 or fold(word) in _BUILDING_PARTS:
            continue
        admitted = _ADMIT_BEFORE.search(text, max(0, m.start(1) - 40), m.start(1))
        # "TRANSFERRED TO PELL 3": behind an admission cue, a name that is a rare English word too
        if admitted and _known(word) and not _is_generic(word) or _name_word(word) and (fold(word) not in lex.dictionary or _known(word)) and (
                admitted or _CLAUSE_END.match(text, m.end())):
            out.append(("LOCATION", m.start(1), m.end(2), SCORE))
            names.add(fold(word))
    for name in names:  # "tillman 2 or tillman 3", "family wants to see ashgrove"
        for m in re.finditer(rf"(?i)(?<![\w'’-]){re.escape(name)}(?:[ \t]{{0,2}}[1-9][A-Za-z]?(?![\w/%]|\.\d))?(?![\w'’-])", text):
            out.append(("LOCATION", m.start(), m.end(), SCORE))
    return out


def _towns(text: str) -> list[Place]:
    out = []
    lex = load_lexicons()
    regions = _lexicons().regions

    def place(words: list[str], strong: bool = True) -> bool:
        key = fold(" ".join(words))
        if key in regions or words[0].upper() in _lexicons().region_codes:
            return False  # a state is no identifier
        if len(words) == 1 and (len(words[0]) < 4 or not (_name_word(words[0]) or strong and _town_word(words[0]))):
            return False  # "returned to baseline", "lives in md"
        if len(words) == 1 and not strong and (key in _CARE_WORDS or key in lex.common or key not in lex.places and (
                key in lex.dictionary or lex.is_name(key))):
            return False  # behind a bare "in": not "in bath", "from carpenter"
        return key in lex.places or key in lex.towns

    for cue in _CUE_END.finditer(text):
        pos = cue.end()
        m = _TOWN.match(text, pos)
        if not m:
            continue
        words = list(_TOWN_WORD.finditer(m.group()))
        strong = None  # the cue regexes run only once a word after the preposition is a known place
        for n in range(len(words), 0, -1):  # the longest known place: "new britain", not "new"
            if not place([w.group() for w in words[:n]]):
                continue
            if strong is None:
                strong = _place_cue(text, cue)
                if not strong and cue.group(1).lower() not in ("in", "from", "near"):
                    break
            # behind a bare "in" or "from" the place ends the phrase: not "in Miami J collar", "in reading chair"
            if (strong or _PHRASE_END.match(text, pos + words[n - 1].end())) and place([w.group() for w in words[:n]], strong):
                out.append(("LOCATION", pos, pos + words[n - 1].end(), SCORE))
                break
        else:  # no list holds it: a word of no list behind a place cue, where the phrase ends ("lives in saugatuck.")
            if _PHRASE_END.match(text, pos + words[0].end()) and _unheard_of_town(words[0].group()) and _place_cue(text, cue):
                out.append(("LOCATION", pos, pos + words[0].end(), SCORE))
    for m in _AREA.finditer(text, overlapped=True):
        g = 1 if m.group(1) else 2
        words = m.group(g).split()
        if place(words):
            out.append(("LOCATION", m.start(g), m.start(g) + len(m.group(g).rstrip()), SCORE))
    for m in _COAST.finditer(text):
        if _STAY_CUE.search(text, max(0, m.start() - 40), m.start()):
            out.append(("LOCATION", m.start(1), m.end(1), SCORE))
    return out


# A town and its state's code without a comma, the code where the phrase ends: "LIVES IN ASHFORD VT.", "called
# from Dunmore PA", "home in Cliffside NJ)".  The town may be a name or a word too ("FROM CHESTER VT.").
_TOWN_STATE = re.compile(rf"(?i)(?:\b(?:in|from|near)[ \t]+|(?<=(?:center|ctr|hospital|hosp|home|rehab|clinic)[ \t]*,)[ \t]*)"
                         rf"((?:{_W}[ \t]+){{1,3}}?)(?-i:([A-Z]{{2}}))(?=[ \t]*(?:$|[\n.,;:)!?]|\d))")
_CALLED = re.compile(r"(?i)\b(?:called|calling|phoned|call|calls)[ \t]+(?:\w+[ \t]+)?(?:from|in)[ \t]+$")
# Codes that are clinical shorthand too: "FROM CHEST CT.", "CALL FROM DR KEANE MD", "ON 2L NC".
_CLINICAL_CODES = frozenset("CA CT DC GU IN MD ME MI MS NH NV OR PA SC TX NC CO GA LA AR OK HI DE ID PR MA ND SD".split())
_CREDENTIALS = frozenset({"MD", "PA"})  # "CALL FROM DR KEANE MD": a doctor, unless a place cue says where one lives


def _towns_before_state(text: str) -> list[Place]:
    """A town before its state's code: behind a bare "in" or "from" where no word is a word of care or a
    frequent word; behind a place cue or a call ("lives in", "home in", "called from") where the code is
    clinical shorthand too ("LIVES IN MILFORD CT"), if a list holds the town; behind a place cue only where the
    code is a credential too."""
    out = []
    lex = load_lexicons()
    for m in _TOWN_STATE.finditer(text, overlapped=True):
        words, code = m.group(1).split(), m.group(2)
        if code not in _US_STATE_CODES:
            continue
        key = fold(" ".join(words))
        known = key in lex.towns or key in lex.places
        if any(fold(w) in STOP_WORDS or _unit(w) or fold(w) in _clinical_vocabulary() or fold(w) in _shorthand_terms()
               or not known and fold(w) in lex.common for w in words) or len(words[0]) < 3:
            continue  # "FROM CHEST CT.", "in room OR."
        before = text[max(0, m.start() - 60): m.start(1)]
        placed = bool(_PLACE_CUE_BEFORE.search(before) or _TOWN_CUE.search(before))
        if code in _CREDENTIALS and not placed or code in _CLINICAL_CODES and not (known and (placed or _CALLED.search(before))):
            continue
        out.append(("LOCATION", m.start(1), m.start(1) + len(m.group(1).rstrip()), SCORE))
    return out


def _town_word(word: str) -> bool:
    """A town of the US list that a medical word list holds too ("lives in brattleboro"), and no frequent word,
    clinical abbreviation or word of care: behind a place cue it is the town."""
    key = fold(word)
    return key in load_lexicons().towns and key not in load_lexicons().common and key not in _CARE_WORDS \
        and key not in _shorthand_terms() and not _unit(word)


def _unheard_of_town(word: str) -> bool:
    """A word that no list holds, names included, and no word typed wrong."""
    return "-" not in word and _unlisted(word) and not load_lexicons().is_name(fold(word)) and fold(word) not in _lexicons().regions


# Place names that are words of nursing care too: "assisted in bath", "up in reading chair".
_CARE_WORDS = frozenset("bath reading mobile normal split union nice hope independence commode".split())
_PHRASE_END = re.compile(r"(?i)[ \t]*(?:$|[\n.,;:!?)(/@-]|(?:at|for|to|on|and|with|area|today|tonight|tomorrow|yesterday|"
                         r"this|last|when|who|until|since|by|per|via|admitted|transferred|sent|brought|presented|"
                         r"presents|gets|is|was|(?-i:[A-Z]{2}))\b|\d{1,2}/\d{1,2}(?![\d/])|~?[0-2]\d[0-5]\d\b)")  # "at hubbardston ~1540"
_CUE_END = re.compile(r"(?i)\b(in|to|at|near|from|into)[ \t]+")


def _place_cue(text: str, cue: re.Match[str]) -> bool:
    """A place cue ("lives in", "job in") before the preposition, not only the preposition
    ("called from", "mvc in")."""
    before = text[max(0, cue.start() - 60) : cue.end()]
    return bool(_PLACE_CUE_BEFORE.search(before) or _TOWN_CUE.search(before))


# "ADMITTED 11/27 FROM SLATE HOLLOW, ICU DAY 11": behind a cue that moves the patient, two or three
# capitalised words that no sentence is made of, where the phrase ends
# (a patient's move, not a specimen's: "TAKEN FROM TRIPLE LUMEN", "sent from art line")
_MOVE_VERB = r"(?:admitted|readmitted|transferred|transfered|xferred|discharged|d/?c'?d|accepted|returned|referred|arrived)"
_ADMIT_NAME = re.compile(rf"(?i)\b{_MOVE_VERB}(?:[ \t]+(?:back|over|here|in|him|her|pt|\d[\d/:-]*))*[ \t]+(?:to|from|at)[ \t]+"
                         r"(?-i:((?:[A-Z][A-Za-z'’]+[ \t]+){1,2}[A-Z][A-Za-z'’]+))"
                         r"(?=[ \t]*(?:$|[\n.,;:()]|\d|(?i:with|for|on|via|by|today|yesterday|and)\b))")


def _admitted_from(text: str) -> list[Place]:
    """Not a person moved to a service ("transferred to John Smith"; a given name that is a word too may
    open a place's name: "SLATE HOLLOW")."""
    out = []
    for m in _ADMIT_NAME.finditer(text):
        words = m.group(1).split()
        if not any(_sentence_word(w) or _unit(w) or _is_generic(w) for w in words) \
                and not (_person_name(words) and fold(words[0]) not in load_lexicons().ambiguous):
            out.append(("HEALTHCARE_FACILITY", m.start(1), m.end(1), SCORE))
    return out


def shorthand_places(text: str) -> list[Place]:
    """(entity type, start, end, score) of each hospital, ward and town named by context."""
    return _acronyms(text) + _hospitals(text) + _wards(text) + _towns(text) + _towns_before_state(text) + _admitted_from(text)
