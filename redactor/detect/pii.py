"""PII recognizers that replace or complement Presidio's built-ins.

- ``OfflineEmailRecognizer``: Presidio's email recognizer validates the domain with
  ``tldextract.extract``, whose default extractor fetches the public suffix list
  over the network, and drops every address whose top-level domain is not on that
  list ("nurse@ward3.local", "j.doe@corp.internal").  An address is an identifier
  whatever its domain, so ours accepts any syntactically valid one, offline.
- ``PrefilteredUrlRecognizer``: Presidio's URL recognizer, which knows only listed
  top-level domains, plus any host after a scheme ("https://portal.clinic.internal/x",
  "http://10.0.0.5:8080") or after "www.", and bare hosts on the private and reserved
  top-level domains intranets use (".local", ".corp", ".lan", ...).  Not run on texts
  that hold neither "x.yz" nor "://".
- ``PhoneShapeRecognizer``: Presidio's runs ``phonenumbers.PhoneNumberMatcher`` once per
  region over the whole text (about 40% of stock scan time).  Ours finds phone-shaped
  candidates with one regex and judges each candidate alone.

No class here shares a name with one of Presidio's: Presidio finds the recognizers of
its default registry by class name among every ``EntityRecognizer`` subclass loaded,
so a namesake would take the place of Presidio's own in any ``AnalyzerEngine()``
built in the same process (tests/test_presidio_isolation.py).
- ``StreetAddressRecognizer``: street addresses in English and the common European
  forms (number-first, suffix-type like ``Koskikatu 25``, prefix-type like
  ``Rue de X 12``, name-number like ``Erzsébet tér 19.`` with context), units, PO
  boxes and military addresses; a street is extended over the rest of its postal
  block (unit, city, region, country, postcode) on the same line or the lines below.
  All-lower-case text is read through ``truecase()`` so the cased patterns apply.
- ``SsnContextRecognizer``: an SSN-shaped number beside SSN context is reported even
  when Presidio's validator calls it invalid: it still exposes the field.
- ``ZipCodeRecognizer``: postal codes after a label or a US state code, and UK and
  Canadian postcodes by shape.
"""

from __future__ import annotations

import re
from typing import List

import regex as uregex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer, UrlRecognizer

from .vocabulary import MONTH_ABBREVIATIONS, MONTHS, alternation

# A domain name as RFC 1035 / 5890 allow it: labels of letters (any script), digits and
# inner hyphens, and a last label that is letters or an IDN "xn--" label, not digits.
_DOMAIN = uregex.compile(r"(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})", uregex.IGNORECASE)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's address pattern; any well-formed domain counts (see module docstring)."""

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if "@" not in text:  # the pattern needs one; skip the regex work on most texts
            return []
        return super().analyze(text, entities, nlp_artifacts, regex_flags)

    def validate_result(self, pattern_text: str) -> bool:
        return _DOMAIN.fullmatch(pattern_text.rsplit("@", 1)[-1]) is not None


_DOMAIN_HINT = re.compile(r"[A-Za-z0-9.-][.][A-Za-z]{2}|://")
# Top-level domains that are not on the public suffix list but name hosts in real
# networks: RFC 2606 / 6761 reserved names and the private ones intranets use.  Read in
# lower case only, and not "home" or "test": "went home.Test results" is a missing space.
_PRIVATE_TLDS = r"local|localdomain|lan|corp|internal|intranet|example"
_URL_PATH = r"(?:[:/?#][^\s<>\"'()\[\]{}|\\^`]*[^\s<>\"'()\[\]{}|\\^`.,;:!?])?"
_ANY_HOST = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EXTRA_URL_PATTERNS = [
    # https://anything, ftp://10.0.0.5:21/x, http://localhost:8080/path
    Pattern("Any host after a scheme", rf"(?i)\b(?:https?|ftps?|sftp)://(?:[^\s/@<>\"']+@)?{_ANY_HOST}{_URL_PATH}", 0.6),
    # www.anything.tld
    Pattern("Any host after www", rf"(?i)(?<![\w.@/-])www\d{{0,3}}\.{_ANY_HOST}\.[a-z]{{2,63}}(?![\w-]){_URL_PATH}", 0.6),
    # portal.clinic.local/x, ehr.corp
    Pattern("Private top-level domain", rf"(?-i:(?<![\w.@/-]){_ANY_HOST}\.(?:{_PRIVATE_TLDS})(?![\w-]){_URL_PATH})", 0.55),
]


class PrefilteredUrlRecognizer(UrlRecognizer):
    """Presidio's URL recognizer and the hosts it does not know (see module docstring),
    skipped on texts with no "x.yz" and no "://": every pattern needs one, and
    Presidio's four long patterns are among the slowest recognizers on ordinary text."""

    def __init__(self) -> None:
        super().__init__(name="UrlRecognizer", patterns=UrlRecognizer.PATTERNS + _EXTRA_URL_PATTERNS)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if not _DOMAIN_HINT.search(text):
            return []
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        kept = []
        for r in results:  # the full stop that ends the sentence is not part of the URL
            while r.end > r.start and text[r.end - 1] in ".,;:!?":
                r.end -= 1
            # a piece of a longer word ("03.jp" in "scan_03.jpeg") is not a host
            if not (r.start > 0 and (text[r.start - 1].isalnum() or text[r.start - 1] == "_")
                    or r.end < len(text) and (text[r.end].isalnum() or text[r.end] == "_")):
                kept.append(r)
        return kept


def make_result(recognizer: EntityRecognizer, entity: str, start: int, end: int, score: float) -> RecognizerResult:
    """A RecognizerResult carrying what Presidio's context enhancer expects."""
    return RecognizerResult(
        entity, start, end, score,
        analysis_explanation=AnalysisExplanation(recognizer=recognizer.name, original_score=score),
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
                              RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id},
    )


def _has_context(text: str, start: int, end: int, words: re.Pattern[str], window: int) -> bool:
    return bool(words.search(text, max(0, start - window), start)) or bool(
        words.search(text, end, min(len(text), end + window // 2))
    )


_PHONE_CONTEXT = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|call|fax|contact|reach(?:ed|able)?|number|ph|whats ?app|answering|dial|text)\b",
    re.IGNORECASE,
)
# The mark of an extension after a number, in any case: "x2207", "X 31", "ext. 44", "EXT 12"
_EXT_MARK = r"[ \t]?(?i:x|ext\.?)[ \t]?"
_PHONE = re.compile(
    r"(?<![\w+/.-])"
    r"(?:\+\d{1,3}[\s.-]?(?:\(0\)\s?)?|00\d{1,3}[\s.-]|001-|1[ \t.-]?(?=\(\d{3}\)))?"  # "1 (800) ...": US trunk prefix
    r"(?:\(\d{1,4}\)[\s.-]?)?"
    r"\d{1,12}(?:[ \t.-]\d{1,8}){0,5}"
    rf"(?:{_EXT_MARK}\d{{1,5}})?"
    r"(?!\w|-\d|\.\d)"
)
# The clock time a call was made, glued to the number by a space: "@2215 413-555-0107", "at 0645 617 555 0193"
_CLOCK_FIRST = re.compile(r"(?:[01]\d|2[0-3])[0-5]\d[ \t]+(?=\d)")
_CALLED_AT = re.compile(r"(?i)(?:@|\bat)[ \t]*$")
# A label of the line right before bare digits: "HOME 4135550148", "wk 6175550133"
_LINE_LABEL_BEFORE = re.compile(r"(?i)\b(?:home|hm|work|wk)[ \t]*[:#-]?[ \t]*$")
# A US number written with slashes, as notes write it: "617/555/0142", "615/555-0193" (a date is never 3/3/4)
_SLASHED_PHONE = re.compile(r"(?<![\w/.-])[2-9]\d{2}/[2-9]\d{2}[/-]\d{4}(?![\w/-]|\.\d)")  # NANP area, exchange
_YEARISH = re.compile(r"^(?:19|20)\d\d$")
# An extension on its own ("ext. 2284", "ext 4-7721", "x53318", "X4-6620", "x 4471") or a hospital's
# internal number after "#" ("paged, #5-1142"): part of a phone number.  Not a count ("500 X 1000").
_EXTENSION = re.compile(
    r"(?i)(?<![\w.-])(?<!\d[ \t])(?:ext(?:ension)?\.?[ \t]*(?:#[ \t]*)?(\d-\d{4}|\d{2,5})|x[ \t]?(\d-\d{4}|\d{4,5})"
    r"|#[ \t]?(\d-\d{4}))(?![\w-]|[.,]\d)"
    r"(?![ \t]*(?:mg|mcg|ml|cc|units?|iu|tabs?|days?|weeks?|times|doses?)\b)"
)
# A hospital pager or beeper: "Pager #12345", "PG 23456", "beeper number 4-1234".
_PAGER = re.compile(r"(?i)\b(?:pager|beeper|bpr|pgr|pg)[ \t]*(?:number|no\.?|num)?[ \t]*[:#]?[ \t]*#?[ \t]*(\d{4,6}|\d-\d{4})(?![\w.-])")
_ISO_DATE = re.compile(r"(?:1[89]|20)\d\d-[01]\d-[0-3]\d\b")
# 11-30-1979, 30.11.1979: a calendar date with a four-digit year, not a phone number
_DATE_WITH_YEAR = re.compile(r"(?:0?[1-9]|[12]\d|3[01])([-.])(?:0?[1-9]|[12]\d|3[01])\1(?:19|20)\d\d")


class _CodeRecognizer(EntityRecognizer):
    """A recognizer written in code for one entity type, named after its class."""

    ENTITY = ""

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__, supported_language="en")

    def load(self) -> None:
        pass


class PhoneShapeRecognizer(_CodeRecognizer):
    """Phone numbers: 7–15 digits in a phone-like shape; context raises the score."""

    ENTITY = "PHONE_NUMBER"

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        results = []
        for m in _PHONE.finditer(text):
            if m.start() > 1 and text[m.start() - 1] == ":" and text[m.start() - 2].isdigit():
                continue  # the seconds of a clock time: "09:15:30.500-07:00"
            raw = m.group().strip(" .-")
            start = m.start() + m.group().find(raw)
            if (clock := _CLOCK_FIRST.match(raw)) and _CALLED_AT.search(text, max(0, start - 4), start):
                raw, start = raw[clock.end() :], start + clock.end()
            score = self._score(raw)
            if score <= 0:
                continue
            end = start + len(raw)
            if _has_context(text, start, end, _PHONE_CONTEXT, 40) or _LINE_LABEL_BEFORE.search(text, max(0, start - 8), start):
                score = min(1.0, score + 0.35)
            results.append(make_result(self, self.ENTITY, start, end, score))
        for m in _PAGER.finditer(text):
            results.append(make_result(self, self.ENTITY, m.start(1), m.end(1), 0.6))
        if "/" in text:
            for m in _SLASHED_PHONE.finditer(text):
                score = 0.95 if _has_context(text, m.start(), m.end(), _PHONE_CONTEXT, 40) else 0.6
                results.append(make_result(self, self.ENTITY, m.start(), m.end(), score))
        if "x" in text or "X" in text or "#" in text:
            for m in _EXTENSION.finditer(text):
                g = next(g for g in (1, 2, 3) if m.group(g))
                start = m.start() if g == 2 else m.start(g)  # "x6612" is written as one: its "x" goes with it
                results.append(make_result(self, self.ENTITY, start, m.end(g), 0.6))
        return results

    @staticmethod
    def _score(raw: str) -> float:
        main = re.split(_EXT_MARK, raw)[0]
        if _ISO_DATE.search(main) or _DATE_WITH_YEAR.fullmatch(main):
            return 0.0  # 1992-02-08 20:15, DOB 11-30-1979, "60640 2026-11-03 02" in a table row
        main = main.replace("(0)", "")  # the trunk prefix in "+41 (0)62 ..." is not a group
        digits = re.sub(r"\D", "", main)
        if not 7 <= len(digits) <= 15:
            return 0.0
        groups = re.findall(r"\d+", main)
        if len(groups) == 1:
            # one bare run: too ambiguous (ids, amounts) unless it has a country prefix; ten digits
            # (US) or eleven starting with 1 (a US trunk prefix, a Chinese mobile) need context
            if raw.startswith("+"):
                return 0.45
            return 0.3 if len(digits) == 10 or len(digits) == 11 and digits[0] == "1" else 0.0
        if all(_YEARISH.match(g) for g in groups):
            return 0.0
        if any(len(g) > 5 for g in groups[1:]) and not raw.startswith("+"):
            return 0.3
        if len(groups) > (6 if raw.startswith("+") else 5):
            return 0.0  # "+33 1 42 68 53 00": a country code and five groups
        return 0.6 if (raw.startswith("+") or "(" in raw or len(digits) >= 9) else 0.5


_SSN_CONTEXT = re.compile(r"\b(?:ssn|ss#|ss\s?no|social\s+security(?:\s+(?:number|no))?)\b", re.IGNORECASE)


class SsnContextRecognizer(PatternRecognizer):
    """SSN-shaped numbers next to SSN context, valid or not."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="US_SSN",
            name="SsnContextRecognizer",
            patterns=[Pattern("ssn-shaped", r"(?<![\d-])\d{3}[- .]?\d{2}[- .]?\d{4}(?![\d-])", 0.1)],
        )

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        kept = [r for r in results if _has_context(text, r.start, r.end, _SSN_CONTEXT, 40)]
        for r in kept:
            r.score = 0.85
        return kept


# --- street addresses -------------------------------------------------------

_UP = r"[A-ZÀ-ÖØ-ÞĀ-ŽΑ-Ω]"
_WORD = r"[\wÀ-ÿĀ-žΑ-ω'’.-]+"
_CAPWORD = rf"{_UP}[\wÀ-ÿĀ-žα-ω'’.-]*"
_NUM = r"\d{1,5}[A-Za-z]?(?:[/-]\d{1,4})?\b\.?"

_EN_TYPES = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Close|Crescent|Cres|Grove|Gardens|"
    r"Row|Mews|Hill|Park|Trail|Trl|Loop|Alley|Plaza|Bypass|Radial|Harbor|Harbour|Point|Walk|Path|"
    r"Pike|Expressway|Expy|Freeway|Fwy|Route|Rte|Turnpike|Causeway|Crossing|Xing|Vista|View|Ridge|"
    r"Heights|Hts|Landing|Meadows|Center|Centre|Junction|Jct|Manor|Estates?|Creek|Valley|Springs|"
    r"Common|Commons|Green|Hollow|Isle|Knoll|Mall|Oval|Pass|Port|Shore|Shores|Station|Summit|Track|"
    r"Tunnel|Wynd|Quay|Wharf|Parade|Esplanade|Promenade"
)
_SUFFIX_TYPES = (
    r"straße|strasse|str\.|gasse|weg|platz|allee|ring|damm|ufer|chaussee|steig|"
    r"gatan|gata|vägen|väg|stigen|gränd|torget|vej|veien|vegen|gaten|gade|stræde|"
    r"laan|straat|plein|gracht|dijk|kade|singel|hove|hof|markt|"
    r"katu|tie|kuja|polku|tori|raitti|"
    r"utca|útja|út|tér|"
    r"ova|eva|ska|ská|ská|ovo|ina|ice|ička|"
    r"stræti|vegur|gata"
)
_PREFIX_TYPES = (
    r"Rue|Avenue|Av\.|Avda\.?|Boulevard|Bd\.?|Chemin|Allée|Place|Impasse|Quai|Cours|Route|"
    r"Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|Strada|Contrada|"
    r"Calle|Avenida|Paseo|Plaza|Carrer|Camino|Ronda|Travesía|Glorieta|Rambla|Cuesta|Callejón|"
    r"Rúa|Rua|Travessa|Praça|Estrada|Largo|Alameda|Beco|Ladeira|"
    r"ul\.|ulica|al\.|Aleja|aleja|os\.|pl\.|Plac|"
    r"Odos|Leoforos|Λεωφόρος|Οδός|Straße|Strada|Stradă|Bulevardul|Str\."
)
_UNIT = r"(?:(?i:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Fl\.?|Floor|Room|Rm\.?|Bldg\.?|Building)|#)\s*#?\s*\d{1,5}[A-Za-z]?"  # "STE 210"

# A unit alone ("Apt 4B", "Suite 200"); "Room 412B", "Unit 6 West", "#15" and "HD#4" alone
# are wards, rooms, ranks and hospital days, not homes: those count only inside an address block.
_UNIT_ALONE = r"(?:Apt\.?|Apartment|Suite|Ste\.?|Flat|Bldg\.?|Building)\s*#?\s*\d{1,5}[A-Za-z]?"
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW)"
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)"  # "E 56th St", "S 16th Ave"
# The types a street is named by without a house number ("lives on Fremont Ave N");
# "Hill", "Park", "Valley" and the like name other places as often as streets.
_NAMED_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Ter|Circle|Cir|"
    r"Parkway|Pkwy|Highway|Hwy"
)
# "on" in capitals too: "FOUND DOWN ON TANNERY ST" (a note in capitals has no other case)
_STREET_CUE = r"(?:\b(?:on|off|at|along|near|corner\s+of|address(?:\s+is)?|lives?\s+on|moved\s+to|ON|OFF|ALONG)[ \t]+)"

_ADDRESS_PATTERNS = [
    # 1600 Pennsylvania Avenue NW, 2437 Main St, 69 Farnell Street
    Pattern("number-first", rf"\b\d{{1,6}}[A-Za-z]?,?\s+(?:{_DIRECTION}\.?\s+)?(?:(?:{_CAPWORD}|{_ORDINAL})\s+){{0,4}}(?:{_EN_TYPES})\b\.?(?:\s+{_DIRECTION}\b)?"
            r"(?:(?<=Rd|Road|Hwy|Highway|Route)[ \t]+\d{1,4}(?![\w/-]|[.,]\d|[ \t]*(?:mg|mcg|ml|units?|%)))?", 0.7),  # "600 County Rd 14"
    # "to 3390 lakeview terrace, sheboygan": a street written in lower case in a note with capitals elsewhere
    Pattern("number-first-lower", r"\b\d{1,6}[ \t]+(?:[nsew]\.?[ \t]+)?(?:(?!(?:the|a|an|and|or|of|to|in|on|at|down|up|from|with|for|by|"
            r"per|x|q|min|mins|blocks?|miles?|steps?|feet|ft)\b)[a-z][a-z'’-]+[ \t]+|\d{1,3}(?:st|nd|rd|th)[ \t]+){1,3}"
            r"(?:street|st|avenue|ave|road|rd|drive|lane|ln|boulevard|blvd|terrace|circle|place|parkway|highway|hwy)\b\.?"
            r"(?=[ \t]*(?:[,;\n]|$|apt|unit|#))", 0.6),
    # 7401 MARKET ST, 2207 FREMONT AVE N: forms and HL7 messages written in capitals
    Pattern("number-first-capitals", rf"\b\d{{1,6}}[A-Z]?\s+(?:{_DIRECTION}\s+)?(?:[A-Z][A-Z'.-]+\s+){{1,4}}(?:{_EN_TYPES.upper()})\b\.?(?:\s+{_DIRECTION}\b)?", 0.7),
    # "a cafe on Fremont Ave N", "her apt on S Jackson St": a named street after "on", "at"
    Pattern("named-street", rf"(?<={_STREET_CUE})(?:{_DIRECTION}\.?\s+)?(?:(?:{_CAPWORD}|{_ORDINAL})\s+){{1,3}}(?:{_NAMED_TYPES}|STREET|ST|AVENUE|AVE|ROAD)\b(?!(?<=Dr)[ \t]*\.?[ \t]*\p{{Lu}}[\p{{Ll}}])\.?(?:\s+{_DIRECTION}\b)?", 0.6),
    # Koskikatu 25, Hammarvägen 15, Asselsestraat 7, Dalmatinova 68
    Pattern("suffix-type", rf"\b(?:\d{{1,6}}\s+)?(?:{_CAPWORD}\s+){{0,3}}{_UP}[\wÀ-ÿĀ-ž'-]*(?:{_SUFFIX_TYPES})\s+{_NUM}", 0.6),
    # Rue de Piétrain 371, ul. Jesionowa 127, Paseo del Atlántico 81, 63 Rue de Kairouan
    Pattern("prefix-type", rf"(?:\b\d{{1,6}}\s+)?(?<![\w])(?:{_PREFIX_TYPES})\s+(?:{_WORD}\s+){{0,4}}?(?:{_NUM}|{_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,3}})", 0.6),
    Pattern("unit", rf"\b{_UNIT_ALONE}(?!\w)", 0.45),
    Pattern("po-box", r"\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box|PSC\s+\d+,?\s+Box|Unit\s+\d+\s+Box)\s+\d+\b(?:\s+[AF]PO\s+A[AEP]\s+\d{5})?", 0.7),
]
_ADDRESS_CONTEXT = re.compile(
    r"\b(?:address|addr|live[sd]?\s+(?:at|on|in)|located\s+(?:at|on)|ship(?:ped|ping)?\s+to|send\s+(?:it\s+)?to|"
    r"deliver(?:ed|y)?\s+to|mail(?:ed|ing)?\s+to|residence|resides?|home\s+at|street|corner\s+of|moved\s+to)\b",
    re.IGNORECASE,
)
_AT_BEFORE = re.compile(r"\bat\b[^.!?;\n]*$", re.IGNORECASE)  # "meet at Locavore, Brisas 6802"; not "Missed 9 shifts at work"
# Capitalised word(s) + house number ("Brisas 6802", "Erzsébet tér 19.", "935 Holmatun 45"):
# with address context, or when an address block follows.
# A word of a street name ends in "." only as an abbreviation ("St.", "Mt.", "ul."), so
# that a match never runs on over the end of a sentence ("in Tacoma. Drives a 2009").
_BARE_UPPER = r"(?:\p{Lu}[\p{L}\p{M}'’-]{0,2}\.(?=[ \t]*[\p{L}\d])|\p{Lu}[\p{L}\p{M}'’-]*(?:\.(?=\p{L})[\p{L}\p{M}'’-]+)*)"
_BARE = uregex.compile(
    rf"(?<![\w.,/-])(?:\d{{1,6}}[ \t]+)?(?!(?:TTY|TDD)\b)(?!{alternation(MONTHS + MONTH_ABBREVIATIONS, case='title')}\.?[ \t])"
    rf"{_BARE_UPPER}(?:[ \t]+(?:{_BARE_UPPER}|(?!(?:was|were|is|are|of|the|and|or|in|on|at|to|by|"
    r"for|day|days|than|less|more|per|with|from|has|had|total|over|under|aged?|between|after|before|during|since|until|"
    r"about|around|within|without|among|each|every|only|also|then|when|where|which|while|approximately|stage|grade|"
    r"type|class|level|step|phase|cycle|dose|week|weeks|month|months|hour|hours|times|x)\b)"
    r"(?:\p{Ll}{1,3}\.|\p{Ll}{1,10}))){0,3}"
    r"[ \t]+\d{1,5}[A-Za-z]?\b\.?(?![ \t]*(?:%|percent|years?|yrs?|kg|km|mg|mcg|ml|mL|cm|mm|am|pm|AM|PM|[:/,.-]?\d+)\b)"
)
_LEADING_NUMBER = re.compile(r"(?<![\w.,/-])\d{1,6}[ \t]+$")

# --- address blocks ---------------------------------------------------------
# A postal address continues after the street: a unit, then city, region,
# country and postcode, on the same line after commas or on the lines below.
# Postcodes: digits (12345, 123 45, 53-320, 1234 AB), UK (SW1A 1AA), Canada (K1A 0B1).
_POSTCODE = (
    r"(?:\d{3,6}(?:[ -]\d{2,4})?(?:[ \t][A-Z]{2}\b)?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|"
    r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \t-]?\d[ABCEGHJ-NPRSTV-Z]\d)"
)
_PLACE_WORD = r"\p{Lu}[\p{L}\p{M}'’.-]*"
_PLACE_RUN = rf"{_PLACE_WORD}(?:[ \t]+(?:{_PLACE_WORD}|de|del|la|le|du|des|di|da|do|dos|das|nad|pod|u|am|an|der|im|sur|upon|y|i|na)){{0,3}}"
_REGION = rf"(?:{_PLACE_RUN}|[A-Z]{{2,3}})(?:[ \t]*\([^)\n]{{1,30}}\))?"
_BLOCK_TAIL = uregex.compile(
    rf"(?:[ \t]*,?[ \t]+{_UNIT}\b)?"  # same-line unit
    rf"(?:[ \t]*,[ \t]*{_REGION}(?:[ \t]*,[ \t]*{_REGION}){{0,2}}(?:[ \t]*,?[ \t]+{_POSTCODE})?(?![\w-]))?"
)
_BLOCK_LINE = uregex.compile(
    rf"[ \t>?*|]*(?:"
    rf"{_UNIT}|[ADF]PO[ \t]+A[AEP][ \t]+\d{{5}}|,?[ \t]*[A-Za-z]{{2,3}}|{_POSTCODE}|"
    rf"{_REGION}(?:[ \t]*,?[ \t]+(?:[A-Z]{{2,3}}|nan))?(?:[ \t]*,?[ \t]+{_POSTCODE})?"
    rf")[ \t]*(?=$|\n|[.?!;][ \t\n]|[.?!;]$)",
    uregex.MULTILINE,
)
_MILITARY = uregex.compile(r"\b(?:USNS|USS|USCGC)[ \t]+\p{Lu}[\p{L}\p{M}'’-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’-]*)?")
_HAS_UPPER = uregex.compile(r"\p{Lu}")
_WORD_START = uregex.compile(r"(?<![\p{L}\p{M}'’\d])\p{Ll}")  # not "38th"
MAX_BLOCK_LINES = 5
# "9 rt radial", "L RADIAL": an artery beside its side, not a street named Radial
_ARTERY = uregex.compile(r"(?i)\b(?:rt|lt|r|l|right|left|bilat(?:eral)?)\.?[ \t]+radial\b")


def block_end(text: str, end: int) -> int:
    """Where the postal block that starts with a street ending at ``end`` ends."""
    m = _BLOCK_TAIL.match(text, end)
    end = m.end() if m else end
    lines = 0
    pos = end
    while lines < MAX_BLOCK_LINES:
        nl = pos
        while nl < len(text) and text[nl] in " \t":
            nl += 1
        if nl >= len(text) or text[nl] != "\n":
            break
        nxt = nl + 1
        if text.startswith("\n", nxt) or uregex.match(r"[ \t>?*|]*\n", text[nxt : nxt + 8]):  # one blank line
            nxt = text.index("\n", nxt) + 1
        m = _BLOCK_LINE.match(text, nxt)
        if not m or m.end() == nxt or not text[nxt : m.end()].strip(" \t>?*|,"):
            break
        end = pos = m.end()
        lines += 1
    return end


def truecase(text: str) -> str:
    """Capitalise each word's first letter, keeping every offset: lets the cased
    address patterns read text that was lower-cased as a whole."""
    return _WORD_START.sub(lambda m: m.group().upper() if len(m.group().upper()) == 1 else m.group(), text)


class StreetAddressRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(
            supported_entity="STREET_ADDRESS",
            name="StreetAddressRecognizer",
            patterns=_ADDRESS_PATTERNS,
            context=["address", "street", "live", "located", "ship", "deliver", "residence"],
            global_regex_flags=re.DOTALL | re.MULTILINE,  # case matters: streets are capitalised
        )

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        source = text if _HAS_UPPER.search(text) else truecase(text)
        results = super().analyze(source, entities, nlp_artifacts, regex_flags)
        claimed = [(r.start, r.end) for r in results]
        for m in _BARE.finditer(source):
            if any(s <= m.start() and m.end() <= e for s, e in claimed):
                continue
            line_start = not source[source.rfind("\n", 0, m.start()) + 1 : m.start()].strip(" \t>?*|")
            numbered = source[m.start()].isdigit()
            # without context, only a street heading a multi-line postal block
            if (_has_context(source, m.start(), m.end(), _ADDRESS_CONTEXT, 30)
                    or _AT_BEFORE.search(source, max(0, m.start() - 30), m.start())
                    or (numbered or line_start) and "\n" in source[m.end() : block_end(source, m.end())]):
                results.append(make_result(self, "STREET_ADDRESS", m.start(), m.end(), 0.5))
        for m in _MILITARY.finditer(source):
            if block_end(source, m.end()) > m.end():
                results.append(make_result(self, "STREET_ADDRESS", m.start(), m.end(), 0.6))
        blocks = []
        for r in results:
            if r.entity_type != "STREET_ADDRESS" or r.score < 0.45:
                continue
            lead = _LEADING_NUMBER.search(source, max(0, r.start - 8), r.start)
            start = lead.start() if lead else r.start
            end = block_end(source, r.end)
            if (start, end) != (r.start, r.end):
                blocks.append(make_result(self, "STREET_ADDRESS", start, end, min(0.95, r.score + 0.1)))
        return [r for r in results + blocks if not _ARTERY.search(source, r.start, r.end)]


# --- postal codes -------------------------------------------------------------

_ZIP_LABEL = uregex.compile(
    r"\b(?:zip(?:\s*code)?|postal\s*code|post\s*code|postcode|plz|code\s+postal)\b"
    r"(?:\s+(?:is|was|of|:))*[ \t]*[:#=]?[ \t]*",
    uregex.IGNORECASE,
)
_ZIP_AFTER_LABEL = uregex.compile(rf"(?:{_POSTCODE}|\d{{3,5}})(?![\w-])")
# "Springfield, IL 62704", "NY 10001-1234": a US state code, then a ZIP.
_US_STATE_ZIP = uregex.compile(
    r"(?<![\w-])(?:A[LKZRAEP]|C[AOT]|D[EC]|F[LM]|G[AU]|HI|I[DLNA]|K[SY]|LA|M[EHDAINSOTP]|N[EVHJMYCD]|MP|O[HKR]|P[AWR]|"
    r"RI|S[CD]|T[NX]|UT|V[TIA]|W[AVIY])[ \t]+(\d{5}(?:-\d{4})?)(?![\w-])"
)
# "14 Maple Hill Rd, 05819", "1186 Reems Creek Road, 28787": a ZIP right after a street
# (and its unit) with the town and state left out.
_STREET_ZIP = uregex.compile(
    rf"(?i)(?<![\w.,/-])\d{{1,6}}[ \t]+(?:(?:{_DIRECTION}|(?-i:\p{{Lu}}[\p{{L}}'’.-]*))[ \t]+){{1,3}}"
    rf"(?:{_NAMED_TYPES}|Way|Trail|Trl|Pike|Row)\.?(?:,?[ \t]+{_UNIT})?,?[ \t]+(\d{{5}}(?:-\d{{4}})?)(?![\w-])"
)
# UK: the area's first letter is never Q, V or X nor its second I, J or Z; "GIR 0AA" is Girobank's.
_UK_CA_POSTCODE = uregex.compile(
    r"(?<![\w-])(?:(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)[ \t]\d[ABD-HJLNP-UW-Z]{2}|"
    r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \t]\d[ABCEGHJ-NPRSTV-Z]\d)(?![\w-])"
)


class ZipCodeRecognizer(_CodeRecognizer):
    """Postal codes: after a label ("ZIP: 3520", "postcode is 7412 SL"), after a US
    state code ("IL 62704") or a street ("Maple Hill Rd, 05819"), and UK or Canadian
    postcodes by their shape.  Codes
    inside an address block are covered by the address itself."""

    ENTITY = "ZIP_CODE"

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        results = []
        for label in _ZIP_LABEL.finditer(text):
            m = _ZIP_AFTER_LABEL.match(text, label.end())
            if m:
                results.append(make_result(self, self.ENTITY, m.start(), m.end(), 0.8))
        for pattern in (_US_STATE_ZIP, _STREET_ZIP):
            results += [make_result(self, self.ENTITY, m.start(1), m.end(1), 0.6) for m in pattern.finditer(text)]
        for m in _UK_CA_POSTCODE.finditer(text):
            results.append(make_result(self, self.ENTITY, m.start(), m.end(), 0.6))
        return results


def pii_recognizers() -> list[EntityRecognizer]:
    return [OfflineEmailRecognizer(), PhoneShapeRecognizer(), SsnContextRecognizer(), StreetAddressRecognizer(), ZipCodeRecognizer()]
