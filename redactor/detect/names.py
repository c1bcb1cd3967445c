"""Person names and place names that a small NER model misses.

spaCy's small English model knows English names in English sentences.  It misses
names from other languages ("Szabina J Gelencsér"), names in lists, forms and
letters, and small towns, and it calls many people ORG.  ``NameRecognizer``
complements it with evidence a reader uses too:

- *lexicons* (``recognizers/lexicons/``): given names, surnames and places, built
  offline from public sources by ``tools/build_lexicons.py``; a surname ending
  ("-ović", "-ska", "-sson", "-nen") counts as a surname;
- *shape*: a run of capitalised words on one line, with initials ("J.") and
  particles ("van", "de", "bin") inside;
- *context*: an honorific, "my name is" or "Dear" before a run, "said" or "lives
  at" after it; a place cue ("flew to", "grew up in") before it or ", <country>"
  after it;
- *the document*: a list whose members are mostly names ("Kónya, Becker and
  Vasquez"), transcript speakers ("Nicole: ..."), a name alone on the line that
  heads a letter or an address block, and later mentions of a name already found
  ("Maciej Borkowski ... Borkowski").

Precision guards: the thousand most frequent English words (``frequent_words.txt``
plus spaCy's stop words and the calendar) are not names on their own; a word of
the English dictionary (``common_words.txt``) that no lexicon lists as a name or
place ("Discipline", "Orchestra") is never part of a name; a name or place that is
also an English word (``name_words.txt``: "Love", "Royal", "Split") needs a cue; a
run holding an organisation or street word ("Inc", "Group", "Street") is neither a
person nor a place; a known place is not a person unless context says so; words of
three letters or fewer, or shaped like "RDs", are not names alone.
Text with no capital letters at all (chat logs, lower-cased exports) is read with
the lexicons: a given name followed by a surname, a name after a strong cue, lists
and speakers.

Everything is set lookups over the runs of the text; no loop touches a lexicon.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import List

import regex as re
from presidio_analyzer import EntityRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from ..config import resource_dir
from .pii import _EN_TYPES, make_result

PERSON = "PERSON"
LOCATION = "LOCATION"


# --- lexicons ---------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """Lookup key: case-folded, accents stripped, one kind of apostrophe."""
    if s.isascii():
        return s.lower()
    s = unicodedata.normalize("NFKD", s.replace("’", "'"))
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _read(path: Path) -> frozenset[str]:
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            keys.add(fold(" ".join(line.split())))
    return frozenset(keys)


# Capitalised words that are not names, whatever a lexicon says: the calendar,
# honorifics and roles, greetings, and words that open sentences and headings.
_NON_NAMES = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
mr mrs ms miss mx dr prof sir madam dame lord lady rev fr sr jr esq phd md
dear hi hello hey thanks thank regards sincerely cheers best yours welcome congratulations
will can shall may might must could would should
north south east west northern southern eastern western central upper lower new old great saint st
street avenue road lane drive court boulevard place square
president director manager doctor nurse patient officer captain general chief judge senator
professor mister uncle aunt grandma grandpa mom mum dad
christmas easter god lord jesus allah
english french german spanish italian american british european african asian
""".split()

# Words that make a run an organisation, not a person or a place.
_ORG_WORDS = frozenset(fold(w) for w in """
inc llc ltd limited corp corporation co company companies group holdings partners associates
bank university college school academy institute foundation hospital clinic center centre
agency society association club orchestra band solutions technologies technology systems
services industries international insurance capital labs media markets software consulting
pharmaceuticals pharma healthcare medical council department ministry committee trust fund
airlines airways motors foods enterprises ventures gmbh ag sa bv nv ab oy spa srl plc llp lp
church cathedral museum gallery theatre theater stadium hotel restaurant cafe bar festival
records studios productions press times post journal news magazine review weekly daily
""".split())

_STREET_WORDS = frozenset(fold(w) for w in _EN_TYPES.split("|"))

# Lower-case words allowed inside a name ("Willemine ten Pas") or a place
# ("Villafranca del Cid", "Ostrov nad Ohří").
_NAME_PARTICLES = frozenset("van von der den de del della di da dos das du le la ten ter bin binti ibn al el zu".split())
_PLACE_PARTICLES = _NAME_PARTICLES | frozenset("nad pod u am an im sur sous upon on-the y i e of".split())


@dataclass(frozen=True)
class Lexicons:
    first: frozenset[str]
    last: frozenset[str]
    places: frozenset[str]
    common: frozenset[str]  # frequent words: never a name on their own
    dictionary: frozenset[str]  # English words; a name only if a lexicon says so
    ambiguous: frozenset[str]  # names and places that are also English words ("Love", "Reading")

    def is_name(self, key: str) -> bool:
        return key in self.first or key in self.last

    def is_word(self, key: str) -> bool:
        """An English word that is not also a known name or place."""
        return key in self.common or (
            key in self.dictionary and key not in self.first and key not in self.last and key not in self.places
        )


@lru_cache(maxsize=4)
def load_lexicons(folder: Path | None = None) -> Lexicons:
    """Read the lexicon files once per folder; the result is immutable and shared."""
    folder = folder or resource_dir("recognizers") / "lexicons"
    common = set(_read(folder / "frequent_words.txt")) | {fold(w) for w in STOP_WORDS} | set(_NON_NAMES)
    dictionary = _read(folder / "common_words.txt") if (folder / "common_words.txt").exists() else frozenset()
    return Lexicons(
        first=_read(folder / "first_names.txt"),
        last=_read(folder / "surnames.txt"),
        places=_read(folder / "places.txt"),
        common=frozenset(common),
        dictionary=dictionary,
        ambiguous=_read(folder / "name_words.txt"),
    )


# --- runs of capitalised words ----------------------------------------------

_TOKEN = re.compile(r"[\p{L}\p{M}]+(?:(?:-|['’](?!s\b))[\p{L}\p{M}]+)*")  # "O'Neil", not "Neil's"
_NAME_SHAPE = re.compile(
    r"(?:(?:Mc|Mac|O['’]|D['’]|L['’]|De|Di|Da|Du|La|Le|Van|Von|St)?\p{Lu}[\p{Ll}\p{M}]*"
    r"(?:['’][\p{Ll}\p{M}]+)?)(?:-\p{Lu}?[\p{Ll}\p{M}]+)*"
)
_GAP = re.compile(r"[ \t]{1,3}")
_INITIAL_GAP = re.compile(r"\.?[ \t]{1,3}")
_HAS_UPPER = re.compile(r"\p{Lu}")


@dataclass
class Tok:
    start: int
    end: int
    text: str
    key: str

    @property
    def is_initial(self) -> bool:
        return len(self.text) == 1 and self.text.isupper()

    @property
    def is_cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def all_caps(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()

    @property
    def name_shaped(self) -> bool:
        """"Smith", "SMITH", "McDonald", "O'Neil", "Jean-Luc"; not "RDs", "CsA", "iPhone"."""
        return self.all_caps or bool(_NAME_SHAPE.fullmatch(self.text))


@dataclass
class Run:
    toks: list[Tok]
    titled: bool = False  # capitalised English words were trimmed off: a heading or title

    @property
    def start(self) -> int:
        return self.toks[0].start

    @property
    def end(self) -> int:
        return self.toks[-1].end

    @property
    def words(self) -> list[Tok]:
        """Name-bearing tokens: not initials, not particles."""
        return [t for t in self.toks if t.is_cap and not t.is_initial]


def _runs(text: str, particles: frozenset[str]) -> list[Run]:
    """Maximal runs of capitalised tokens on one line, particles allowed inside."""
    runs: list[Run] = []
    cur: list[Tok] = []
    prev: Tok | None = None
    for m in _TOKEN.finditer(text):
        word = m.group()
        if not (word[0].isupper() or (cur and word in particles)):
            if cur:  # a lower-case word ends the run
                runs.append(Run(cur))
                cur = []
            prev = None
            continue
        tok = Tok(m.start(), m.end(), word, fold(word))
        if cur and prev is not None:
            gap = text[prev.end : tok.start]
            if not (_GAP.fullmatch(gap) or (prev.is_initial and _INITIAL_GAP.fullmatch(gap))):
                runs.append(Run(cur))
                cur = []
        if cur or tok.is_cap:
            cur.append(tok)
        prev = tok
    if cur:
        runs.append(Run(cur))
    out = []
    for r in runs:
        while r.toks and not r.toks[-1].is_cap:  # no trailing particles
            r.toks.pop()
        if r.toks:
            out.append(r)
    return out


# --- context ------------------------------------------------------------------

_HONORIFIC_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Fr|Sra|Sr|Herr|Frau|Mme|Mlle|Madame|Monsieur|Señor|Señora|Signor|Signora)\.?"
    r"|\b(?:mr|mrs|ms|dr)\.)[ \t]+$"
)
_NAME_CUE_BEFORE = re.compile(
    r"(?:\b(?:my|his|her|their|your|the|our)\s+(?:\w+\s+)?(?:name|names|surname)(?:\s+(?:is|was|are)|\s*\?)"
    r"|\bname\s*[:=]|\b(?:I\s+am|I'm|call\s+me|called|named|calls\s+me|signed|this\s+is|it's|it\s+is\s+under|under|"
    r"patient|pt|physician|attending|doctor|nurse|surgeon|referred\s+by|seen\s+by|contact|cc|attn|"
    r"dear|hi|hello|hey|thanks|thank\s+you|congratulations|welcome|sincerely|regards|"
    r"(?:my|his|her|their|our)\s+(?:son|daughter|kid|child|wife|husband|partner|mother|father|mom|dad|brother|sister|"
    r"friend|boss|manager|colleague|grandmother|grandfather|aunt|uncle|cousin|nephew|niece|spouse|fiancée?|boyfriend|girlfriend)|"
    r"said|says|asked|told|wrote|replied|shouted\s+at|spoke\s+to|met\s+with|meet\s+with|follow\s+up\s+with|talk\s+to|"
    r"speak\s+to|married|by|with|from|and|to)[:,]?)[ \t]+$",
    re.IGNORECASE,
)
# "by", "with", "from", "and", "to" are weak; they only help a lexicon name.
_WEAK_CUES = frozenset({"by", "with", "from", "and", "to", "under", "it's", "this is"})
# After a run: verbs whose subject is a person ("X said", "X lives at") ...
_HUMAN_VERB_AFTER = re.compile(
    r"^,?[ \t]+(?:said|says|asked|told|wrote|replied|shouted|smiled|laughed|explained|added|answered|"
    r"lives|lived|works|worked|spent|went|flew|moved|travell?ed|called|emailed|phoned|texted|visited|married|"
    r"studied|graduated|joined|arrived|cried|thinks|thought|believes|wants|wanted|needs|needed|likes|liked|loves|"
    r"loved|hates|feels|felt|agreed|decided|died|passed\s+away|(?:is|was)\s+from|was\s+born|(?:is|was)\s+(?:very\s+)?"
    r"(?:reliable|kind|friendly|sympathetic|nice|happy|sad|tired|sick|ill|married|pregnant|retired|impulsive))\b",
    re.IGNORECASE,
)
# ... and weaker signs of a person or of any proper noun ("X's", "X, who", "X (she)").
_WEAK_AFTER = re.compile(
    r"^(?:'s\b|’s\b|,?[ \t]+(?:is\s+(?:a|an|the|my|our)|was\s+(?:a|an|the|my|our)|has\s+been|will\s+be|who\b|"
    r"and\s+(?:his|her)\b)|\s*\((?:he|she|they|him|her)\b)",
    re.IGNORECASE,
)
_SPEAKER_AFTER = re.compile(r"^[ \t]*:[ \t]*\S")
_SPEAKER_LABEL = re.compile(r"(?m)^[ \t>]*(\p{Lu}[\p{L}\p{M}'’-]+)[ \t]*:[ \t]*\S")
_DIGIT_OR_AT = re.compile(r"\d|@")
_LIST_GAP = re.compile(r",[ \t]*|,?[ \t]+(?:and|or|&|und|et|y|e|och|og|en)[ \t]+")
# Surname endings common across Europe and beyond: Slavic (-ović, -ski, -ová, -ov),
# Nordic (-sson, -dóttir, -sen), Finnish (-nen), Greek (-poulos), Romanian (-escu),
# Georgian (-shvili), Armenian (-yan), Baltic (-auskas, -aitis), Turkish (-oğlu).
_SURNAME_ENDING = re.compile(
    r"(?:ić|vic|ski|ska|cki|cka|wicz|czyk|czak|ová|ská|ovič|evič|ovich|evich|ovna|evna|ov|ev|ova|eva|enko|chuk|yuk|"
    r"sson|dottir|dóttir|sen|nen|poulos|akis|idis|escu|eanu|shvili|dze|yan|auskas|aitis|oglu|oğlu)$"
)

_PLACE_CUE_BEFORE = re.compile(
    r"\b(?:(?:live[sd]?|living|grew\s+up|born|based|located|situated|raised|resides?|residing|settled|stationed|"
    r"headquartered|stay(?:ing|ed)?|vacation(?:ing|ed)?|work(?:s|ed|ing)?)\s+(?:\w+\s+)?(?:in|at|near)"
    r"|(?:moved|flew|fly|flying|flight|travel(?:l)?ed|travel(?:l)?ing|went|go|going|drove|driving|relocated?|"
    r"return(?:ed|ing)?|arrived|came|comes?|emigrated|immigrated|trip|journey|road\s+trip)\s+(?:\w+\s+)?(?:to|from|in|at|into)"
    r"|originally\s+from|home\s*town(?:\s+(?:is|of))?|home\s+city|city\s+of|town\s+of|village\s+of|region\s+of|"
    r"(?:I|we)(?:\s+am|\s+are|'m|'re|’m|’re)\s+(?:now\s+|currently\s+)?(?:in|at)|resident\s+of|native\s+of|"
    r"(?:office|offices|branch|store|plant|campus|clinic|hospital)\s+in|where\s*:|city\s*:|town\s*:|country\s*:|"
    r"place\s+of\s+birth\s*:?|birthplace\s*:?|visit(?:ing|ed)?|serving(?:\s+(?:northern|southern|eastern|western|central))?)"
    r"[ \t]+$",
    re.IGNORECASE,
)
_PLACE_PREP_BEFORE = re.compile(r"\b(?:in|to|from|at|near|of|via|toward|towards|outside|around)[ \t]+$", re.IGNORECASE)
# "Tallinn, Estonia", "Springfield, IL": a place is followed by its country or state.
_US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI".split()
)
_COMMA_NEXT = re.compile(r"^,[ \t]*([\p{Lu}][\p{L}\p{M}.'’ -]{1,40}?)(?=[ \t]*(?:$|[\n,.;:!?)\d]))")


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(*->•?":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


class _PlaceCues:
    """Place context around a run, each looked at only when asked for."""

    def __init__(self, text: str, run: "Run", lex: Lexicons) -> None:
        self.text, self.run, self.lex = text, run, lex

    @cached_property
    def strong(self) -> bool:  # "flew to", "grew up in"
        return bool(_PLACE_CUE_BEFORE.search(self.text, max(0, self.run.start - 60), self.run.start))

    @cached_property
    def prep(self) -> bool:  # "in", "to", "from"
        return self.strong or bool(_PLACE_PREP_BEFORE.search(self.text, max(0, self.run.start - 12), self.run.start))

    @cached_property
    def region(self) -> bool:  # ", Estonia", ", IL"
        m = _COMMA_NEXT.match(self.text[self.run.end : self.run.end + 45])
        return bool(m) and (fold(m.group(1).strip()) in self.lex.places or m.group(1).strip() in _US_STATE_CODES)


# --- the recognizer -----------------------------------------------------------

@dataclass
class _Reading:
    entity: str
    start: int
    end: int
    score: float


class NameRecognizer(EntityRecognizer):
    """Person and place names from lexicons, shape and context (see module docstring)."""

    def __init__(self, lexicon_dir: Path | None = None) -> None:
        self._lexicon_dir = lexicon_dir
        self.lex: Lexicons | None = None
        super().__init__(supported_entities=[PERSON, LOCATION], name="NameRecognizer", supported_language="en")

    def load(self) -> None:
        self.lex = load_lexicons(self._lexicon_dir)

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        if self.lex is None:
            self.load()
        if _HAS_UPPER.search(text):
            readings = self._read_cased(text)
        else:
            readings = self._read_lowercase(text)
        return [
            make_result(self, r.entity, r.start, r.end, round(min(r.score, 0.95), 3))
            for r in readings
            if r.score >= 0.5 and (not entities or r.entity in entities)
        ]

    # cased text ---------------------------------------------------------------

    def _read_cased(self, text: str) -> list[_Reading]:
        lex = self.lex
        out: list[_Reading] = []
        scored: list[tuple[Run, float]] = []
        for run in _runs(text, _PLACE_PARTICLES):
            keys = {t.key for t in run.toks}
            if keys & _ORG_WORDS or keys & _STREET_WORDS:
                continue
            run = self._trim(text, run)
            if run is None:
                continue
            place = self._place(text, run)
            if place is not None:
                out.append(place)
            score = self._person(text, run, place)
            if place is None and score < 0.6 and self._header_line(text, run):
                score = max(score, 0.6 if any(self._namelike(t) for t in run.words) else 0.55)
            scored.append((run, score))
        scored = self._lists(text, scored)
        scored = self._speakers(text, scored)
        scored = self._mentions(scored)
        out += [_Reading(PERSON, r.start, r.end, s) for r, s in scored if s >= 0.5]
        return out

    def _namelike(self, tok: Tok) -> bool:
        """A lexicon name, or a word with a surname ending ("-ović", "-ska", "-sson")."""
        return self.lex.is_name(tok.key) or self._surname_shaped(tok)

    def _surname_shaped(self, tok: Tok) -> bool:
        return len(tok.key) >= 5 and bool(_SURNAME_ENDING.search(tok.text.lower())) and not self.lex.is_word(tok.key)

    def _header_line(self, text: str, run: Run) -> bool:
        """A name alone on its line heading a letter, a signature or an address
        block: first line of the text, or followed by lines with numbers or e-mail."""
        words = run.words
        if not 2 <= len(words) <= 4 or any(self.lex.is_word(t.key) for t in words):
            return False
        if all(t.all_caps for t in words) and not all(self._namelike(t) for t in words):
            return False
        line_start = text.rfind("\n", 0, run.start) + 1
        line_end = text.find("\n", run.end)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_start : run.start].strip(" \t>?*|-•") or text[run.end : line_end].strip(" \t,;"):
            return False
        if not text[:line_start].strip(" \t\n>?*|-•"):
            return True
        below = text[line_end : line_end + 200].split("\n")[1:5]
        return any(_DIGIT_OR_AT.search(line) for line in below)

    def _trim(self, text: str, run: Run) -> Run | None:
        """Drop leading and trailing words that are not names ("Dear", "When", "Singer")."""
        lex = self.lex
        toks = list(run.toks)
        titled = False
        while toks and not toks[0].is_initial and (not toks[0].is_cap or lex.is_word(toks[0].key)):
            # keep "Will" in "Will Smith" when it is not opening a sentence
            if (len(toks) >= 2 and toks[0].key in lex.first and toks[1].key in lex.last
                    and not _sentence_initial(text, toks[0].start)):
                break
            titled |= toks[0].key not in lex.common
            toks.pop(0)
        while toks and (not toks[-1].is_cap or lex.is_word(toks[-1].key)):
            if len(toks) >= 2 and toks[-2].key in lex.first and toks[-1].key in lex.last and toks[-2].key not in lex.common:
                break  # "Zoe Young"
            titled |= toks[-1].key not in lex.common
            toks.pop()
        if not toks or not any(t.is_cap and not t.is_initial for t in toks):
            return None
        return Run(toks, titled)

    def _place(self, text: str, run: Run) -> _Reading | None:
        lex = self.lex
        cues = _PlaceCues(text, run, lex)
        # longest sub-run that is a known place
        toks = run.toks
        for n in range(min(len(toks), 5), 0, -1):
            for i in range(0, len(toks) - n + 1):
                sub = toks[i : i + n]
                if not sub[0].is_cap or not sub[-1].is_cap:
                    continue
                key = fold(" ".join(text[sub[0].start : sub[-1].end].split()))
                if key not in lex.places:
                    continue
                if n == 1 and (key in lex.common or key in lex.ambiguous or sub[0].all_caps):
                    score = 0.6 if (cues.strong or cues.region) else 0.0  # "Reading", "SUND"
                elif n == 1 and lex.is_name(key):
                    score = 0.7 if (cues.prep or cues.region) else 0.5  # "Germany", "Jordan"
                else:
                    score = 0.7 if (cues.prep or cues.region or n > 1) else 0.6
                if sub[0] is toks[0] and _HONORIFIC_BEFORE.search(text, max(0, sub[0].start - 12), sub[0].start):
                    score = 0.0  # "Ms. Austin"
                if score:
                    return _Reading(LOCATION, sub[0].start, sub[-1].end, score)
                return None
        # unknown words: only with a strong cue or a region after them
        words = run.words
        if not words or len(words) > 4 or any(lex.is_word(t.key) for t in words):
            return None
        if any(lex.is_name(t.key) for t in words) and not (cues.strong or cues.region):
            return None
        if cues.strong and (len(words) > 1 or not lex.is_name(words[0].key)):
            return _Reading(LOCATION, run.start, run.end, 0.6)
        if cues.region and not lex.is_name(words[0].key):
            return _Reading(LOCATION, run.start, run.end, 0.55)
        return None

    def _person(self, text: str, run: Run, place: _Reading | None) -> float:
        lex = self.lex
        words = run.words
        if not words or len(words) > 4:
            return 0.0
        first, last = words[0], words[-1]
        initials = sum(t.is_initial for t in run.toks)
        is_first = first.key in lex.first
        last_known = last.key in lex.last or last.key in lex.first
        all_caps = all(t.all_caps for t in words)
        # a middle word that is plain English ("Compared Care Songwriter") breaks the name
        if any(lex.is_word(t.key) for t in words[1:-1]) or not all(t.name_shaped for t in words):
            return 0.0

        if len(words) >= 2:
            if is_first and last_known:
                score = 0.85
                if first.key in lex.common:  # "Will Young", "May Long"
                    score = 0.6 if not _sentence_initial(text, run.start) else 0.45
                elif first.key in lex.ambiguous and last.key in lex.ambiguous:  # "Princess Royal"
                    score = 0.45
            elif is_first and first.key not in lex.common and not lex.is_word(last.key):
                score = 0.75 if initials else 0.65
            elif (last.key in lex.last or self._surname_shaped(last)) and not lex.is_word(first.key):
                score = 0.65 if initials else 0.55
            elif lex.is_word(first.key) or lex.is_word(last.key):
                score = 0.0
            elif initials:  # "Szabina J Gelencsér"
                score = 0.55
            elif not first.text.isascii() or not last.text.isascii():
                # foreign words in English text are proper nouns; places were ruled out above
                score = 0.45 if _sentence_initial(text, run.start) else 0.5
            else:
                score = 0.0
            if all_caps and not (is_first and last_known):
                score = 0.0
        elif first.all_caps or first.key in lex.common or len(first.text) <= 3:
            score = 0.0  # "Dex", "Ato": abbreviations more often than names
        elif is_first:
            score = 0.4 if (first.key in lex.ambiguous or run.titled) else 0.6
        elif first.key in lex.last or self._surname_shaped(first):
            score = 0.4
        else:
            score = 0.0
        if lex.is_word(first.key) and lex.is_word(last.key):
            return 0.0

        # context
        before = text[max(0, run.start - 50) : run.start]
        after = text[run.end : run.end + 40]
        strong = False
        if _HONORIFIC_BEFORE.search(before):
            strong = True
            score = max(score, 0.8)
        else:
            m = _NAME_CUE_BEFORE.search(before)
            if m:
                cue = " ".join(m.group().lower().strip(" \t:,").split())
                if cue in _WEAK_CUES:
                    if score >= 0.4 and lex.is_name(last.key):
                        score += 0.1
                else:
                    strong = True
                    if lex.is_name(first.key) or lex.is_name(last.key):
                        score = max(score + 0.25, 0.6)
                    elif not all_caps:
                        score = max(score, 0.55)
        named = any(lex.is_name(t.key) and t.key not in lex.ambiguous for t in words)
        unknown = not any(lex.is_name(t.key) for t in words) and not all_caps and len(words) <= 3
        if all(t.key in lex.ambiguous or t.key in lex.common for t in words):
            pass  # "The Princess Royal arrived": only a cue before the run can make it a person
        elif _HUMAN_VERB_AFTER.match(after):
            if named:
                strong = True
                score = max(score + 0.2, 0.6)
            elif lex.is_name(last.key):
                score += 0.15
            elif unknown:
                score = max(score, 0.55)
        elif _WEAK_AFTER.match(after):
            if named:
                score += 0.1
            elif unknown and len(words) >= 2 and not _sentence_initial(text, run.start):
                score = max(score, 0.5)
        elif _SPEAKER_AFTER.match(after) and _sentence_initial(text, run.start) and named:
            score = max(score + 0.2, 0.6)

        if place is not None and not strong:
            # "Jackson" after "flew to" is a place; "Jackson Smith" is still a person
            if place.start <= run.start and run.end <= place.end and not (len(words) >= 2 and is_first and last_known):
                return 0.0
        elif place is None and not strong and _PLACE_CUE_BEFORE.search(before) and len(words) == 1:
            return min(score, 0.45)
        return score

    def _lists(self, text: str, scored: list[tuple[Run, float]]) -> list[tuple[Run, float]]:
        """"Gaetane, Hannah, Anthony and Derek": names are listed with names.  Every
        member of a comma/"and" list is a name when the list's votes say so: a
        lexicon name or a found name counts one, a name that is also a word half."""
        lex = self.lex
        out = list(scored)
        i = 0
        while i < len(scored):
            j = i + 1
            while j < len(scored):
                gap = text[scored[j - 1][0].end : scored[j][0].start]
                if not _LIST_GAP.fullmatch(gap):
                    break
                j += 1
            group = scored[i:j]
            if len(group) >= 2:
                votes = 0.0
                for r, sc in group:
                    if len(r.words) == 1 and len(r.words[0].text) <= 3:
                        continue  # "Dex and Ato": abbreviations
                    if sc >= 0.5 or any(self._namelike(t) and t.key not in lex.ambiguous for t in r.words):
                        votes += 1
                    elif any(lex.is_name(t.key) for t in r.words):
                        votes += 0.5
                if votes >= 1.5 and votes * 2 > len(group):
                    for k in range(i, j):
                        r, sc = out[k]
                        if (sc < 0.55 and len(r.words) <= 3 and not any(lex.is_word(t.key) for t in r.words)
                                and len(r.words[0].text) > 3 and all(t.name_shaped for t in r.words)):
                            out[k] = (r, 0.55)
            i = j
        return out

    def _speakers(self, text: str, scored: list[tuple[Run, float]]) -> list[tuple[Run, float]]:
        """A transcript ("Nicole: Remember me?"): when most speaker labels are names,
        the others are names too."""
        labels = {m.group(1): m.start(1) for m in _SPEAKER_LABEL.finditer(text)}
        if len(labels) < 2:
            return scored
        keys = {fold(w) for w in labels}
        named = sum(1 for k in keys if self.lex.is_name(k) and k not in self.lex.ambiguous)
        if named * 2 < len(keys) or named < 1:
            return scored
        starts = set(labels.values())
        return [
            (r, max(sc, 0.55)) if (r.start in starts and len(r.words) == 1 and not self.lex.is_word(r.words[0].key)
                                   and r.words[0].key not in self.lex.ambiguous) else (r, sc)
            for r, sc in scored
        ]

    def _mentions(self, scored: list[tuple[Run, float]]) -> list[tuple[Run, float]]:
        """Once "Maciej Borkowski" is found, a later "Borkowski" is the same person."""
        parts = {t.key for r, sc in scored if sc >= 0.6 and len(r.words) >= 2 for t in r.words}
        if not parts:
            return scored
        return [
            (r, 0.6) if sc < 0.5 and all(t.key in parts for t in r.words) and not any(self.lex.is_word(t.key) for t in r.words)
            else (r, sc)
            for r, sc in scored
        ]

    # lower-case text ------------------------------------------------------------

    def _read_lowercase(self, text: str) -> list[_Reading]:
        """No capitals anywhere (chat logs, lower-cased exports): a given name that is
        not an English word, followed by a surname; a name right after a strong cue;
        names listed with names; a name heading the text."""
        lex = self.lex
        toks = [Tok(m.start(), m.end(), m.group(), fold(m.group())) for m in _TOKEN.finditer(text)]
        given = [t.key in lex.first and t.key not in lex.common and t.key not in lex.ambiguous for t in toks]
        scores: dict[int, tuple[int, float]] = {}  # first token index -> (last token index, score)
        i = 0
        while i < len(toks):
            t = toks[i]
            before = text[max(0, t.start - 50) : t.start]
            m = _HONORIFIC_BEFORE.search(before) or _NAME_CUE_BEFORE.search(before)
            cue = bool(m) and " ".join(m.group().lower().strip(" \t:,").split()) not in _WEAK_CUES
            j = i + 1
            if j < len(toks) and len(toks[j].text) == 1 and _INITIAL_GAP.fullmatch(text[t.end : toks[j].start]):
                j += 1  # "eric g. samoylova"
            nxt = toks[j] if j < len(toks) and _INITIAL_GAP.fullmatch(text[toks[j - 1].end : toks[j].start]) else None
            if given[i] and nxt is not None and nxt.key not in lex.common and not lex.is_word(nxt.key):
                strong_last = nxt.key in lex.last or nxt.key in lex.first or self._surname_shaped(nxt)
                if strong_last or nxt.key not in lex.dictionary:
                    scores[i] = (j, (0.6 if strong_last else 0.5) + (0.1 if cue else 0.0))
                    i = j + 1
                    continue
            if cue and t.key not in lex.common and not lex.is_word(t.key) and len(t.text) > 2 and (
                    given[i] or t.key in lex.last or t.key not in lex.dictionary):
                scores[i] = (i, 0.6)
            i += 1
        # lists ("silvana, adam, christopher and caleb") and transcript speakers ("mika: ...")
        for group in _lowercase_lists(text, toks):
            if sum(given[k] for k in group) * 3 >= len(group) * 2:
                for k in group:
                    if k not in scores and toks[k].key not in lex.common and not lex.is_word(toks[k].key):
                        scores[k] = (k, 0.55)
        speakers = [k for k, t in enumerate(toks) if _LOWER_SPEAKER.match(text, t.start) and _sentence_initial(text, t.start)]
        if len({toks[k].key for k in speakers}) >= 2 and sum(given[k] for k in speakers) * 2 >= len(speakers):
            for k in speakers:
                if given[k]:
                    scores.setdefault(k, (k, 0.55))
        out = [_Reading(PERSON, toks[a].start, toks[b].end, sc) for a, (b, sc) in scores.items()]
        # mentions of a found name elsewhere ("my name is borna jerković but everyone calls me borna")
        found = {toks[k].key for a, (b, sc) in scores.items() if sc >= 0.5 for k in range(a, b + 1)}
        taken = {k for a, (b, _) in scores.items() for k in range(a, b + 1)}
        out += [_Reading(PERSON, t.start, t.end, 0.55) for k, t in enumerate(toks)
                if k not in taken and given[k] and t.key in found]
        return out


_LOWER_SPEAKER = re.compile(r"[\p{Ll}'’-]+[ \t]*:")


def _lowercase_lists(text: str, toks: list[Tok]) -> list[list[int]]:
    """Index groups of single words joined by commas and a final "and"/"or"."""
    groups: list[list[int]] = []
    cur: list[int] = []
    k = 0
    while k < len(toks) - 1:
        nxt = k + 1
        gap = text[toks[k].end : toks[nxt].start]
        if toks[nxt].key in ("and", "or") and nxt + 1 < len(toks) and re.fullmatch(r",?[ \t]+", gap) \
                and re.fullmatch(r"[ \t]+", text[toks[nxt].end : toks[nxt + 1].start]):
            nxt += 1
        elif not re.fullmatch(r",[ \t]*", gap):
            if len(cur) >= 3:
                groups.append(cur)
            cur = []
            k += 1
            continue
        cur = cur or [k]
        cur.append(nxt)
        k = nxt
    if len(cur) >= 3:
        groups.append(cur)
    return groups
