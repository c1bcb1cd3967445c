"""PII recognizers that replace or complement Presidio's built-ins.

- ``OfflineEmailRecognizer``: Presidio's email recognizer validates the domain with
  ``tldextract.extract``, whose default extractor fetches the public suffix list
  over the network.  Ours uses tldextract's bundled snapshot and never a socket.
- ``PhoneRecognizer``: Presidio's runs ``phonenumbers.PhoneNumberMatcher`` once per
  region over the whole text (about 40% of stock scan time).  Ours finds phone-shaped
  candidates with one regex and judges each candidate alone.
- ``StreetAddressRecognizer``: street addresses in English and the common European
  forms (number-first, suffix-type like ``Koskikatu 25``, prefix-type like
  ``Rue de X 12``), units and PO boxes.
- ``SsnContextRecognizer``: an SSN-shaped number beside SSN context is reported even
  when Presidio's validator calls it invalid: it still exposes the field.
"""

from __future__ import annotations

import re
from typing import List, Optional

import tldextract
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer

# Bundled public-suffix snapshot only: no suffix_list_urls, no cache dir, no socket.
_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def offline_tld_extract(host: str):
    return _OFFLINE_TLD(host)


class OfflineEmailRecognizer(EmailRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return offline_tld_extract(pattern_text.rsplit("@", 1)[-1]).suffix != ""


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
    r"\b(?:phone|tel|telephone|mobile|cell|call|fax|contact|reach|number|ph|whats ?app|answering|dial|text)\b",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+/.-])"
    r"(?:\+\d{1,3}[\s.-]?(?:\(0\)\s?)?|00\d{1,3}[\s.-]|001-)?"
    r"(?:\(\d{1,4}\)[\s.-]?)?"
    r"\d{1,5}(?:[\s.-]\d{1,5}){0,5}"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?"
    r"(?![\w-]|\.\d)"
)
_YEARISH = re.compile(r"^(?:19|20)\d\d$")


class PhoneRecognizer(EntityRecognizer):
    """Phone numbers: 7–15 digits in a phone-like shape; context raises the score."""

    ENTITY = "PHONE_NUMBER"

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name="PhoneRecognizer", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        results = []
        for m in _PHONE.finditer(text):
            raw = m.group().strip(" .-")
            score = self._score(raw)
            if score <= 0:
                continue
            start = m.start() + m.group().find(raw)
            end = start + len(raw)
            if _has_context(text, start, end, _PHONE_CONTEXT, 40):
                score = min(1.0, score + 0.35)
            results.append(make_result(self, self.ENTITY, start, end, score))
        return results

    @staticmethod
    def _score(raw: str) -> float:
        main = re.split(r"\s?(?:x|ext\.?)\s?", raw)[0]
        digits = re.sub(r"\D", "", main)
        if not 7 <= len(digits) <= 15:
            return 0.0
        groups = re.findall(r"\d+", main)
        if len(groups) == 1:
            # one bare run: too ambiguous (ids, amounts) unless it has a country prefix
            return 0.45 if raw.startswith("+") else (0.3 if len(digits) == 10 else 0.0)
        if all(_YEARISH.match(g) for g in groups):
            return 0.0
        if any(len(g) > 5 for g in groups[1:]) and not raw.startswith("+"):
            return 0.3
        if len(groups) > 5:
            return 0.0
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
_UNIT = r"(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Fl\.?|Floor|Room|Rm\.?|Bldg\.?|Building|#)\s*#?\s*\d{1,5}[A-Za-z]?"

_ADDRESS_PATTERNS = [
    # 1600 Pennsylvania Avenue NW, 2437 Main St, 69 Farnell Street
    Pattern("number-first", rf"\b\d{{1,6}}[A-Za-z]?,?\s+(?:{_CAPWORD}\s+){{0,4}}(?:{_EN_TYPES})\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?", 0.7),
    # Koskikatu 25, Hammarvägen 15, Asselsestraat 7, Dalmatinova 68
    Pattern("suffix-type", rf"\b(?:\d{{1,6}}\s+)?(?:{_CAPWORD}\s+){{0,3}}{_UP}[\wÀ-ÿĀ-ž'-]*(?:{_SUFFIX_TYPES})\s+{_NUM}", 0.6),
    # Rue de Piétrain 371, ul. Jesionowa 127, Paseo del Atlántico 81, 63 Rue de Kairouan
    Pattern("prefix-type", rf"(?:\b\d{{1,6}}\s+)?(?<![\w])(?:{_PREFIX_TYPES})\s+(?:{_WORD}\s+){{0,4}}?(?:{_NUM}|{_CAPWORD})", 0.6),
    Pattern("unit", rf"\b{_UNIT}(?!\w)", 0.45),
    Pattern("po-box", r"\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box|PSC\s+\d+,?\s+Box|Unit\s+\d+\s+Box)\s+\d+\b(?:\s+[AF]PO\s+A[AEP]\s+\d{5})?", 0.7),
]
_ADDRESS_CONTEXT = re.compile(
    r"\b(?:address|addr|live[sd]?\s+(?:at|on|in)|located\s+(?:at|on)|ship(?:ped|ping)?\s+to|send\s+(?:it\s+)?to|"
    r"deliver(?:ed|y)?\s+to|mail(?:ed|ing)?\s+to|residence|resides?|home\s+at|street|corner\s+of|moved\s+to|at)\b",
    re.IGNORECASE,
)
# Capitalised word(s) + house number ("Brisas 6802"): only with address context.
_BARE = re.compile(rf"\b(?:{_CAPWORD}\s+){{1,3}}\d{{1,5}}[A-Za-z]?\b(?!\s*(?:%|percent|years?|kg|km|mg|ml|am|pm|AM|PM)\b)")


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
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for m in _BARE.finditer(text):
            if _has_context(text, m.start(), m.end(), _ADDRESS_CONTEXT, 30):
                results.append(make_result(self, "STREET_ADDRESS", m.start(), m.end(), 0.5))
        return results


def pii_recognizers() -> list[EntityRecognizer]:
    return [OfflineEmailRecognizer(), PhoneRecognizer(), SsnContextRecognizer(), StreetAddressRecognizer()]
