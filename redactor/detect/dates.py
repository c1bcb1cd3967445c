"""Dates as clinical notes write them, which Presidio's date patterns score too low
(0.1 for "2/15", 0.2 for "09/2025") or miss ("Aug 2, 2024", "May 3rd").

Under HIPAA Safe Harbor every element of a date but the year is an identifier, so a
month and day alone ("f/u 4/30") count.  A slash pair that is a reading or a dose
("BP 120/80", "pain 7/10", "1/2 tab") looks the same; ``clinical.py`` removes those
in refinement, where the words around it are weighed.

A holiday that pins a day ("home by Christmas Eve", "fell on Thanksgiving") is a date
element too; the names are in ``recognizers/lexicons/holidays.txt``.

A day of the month written alone as an ordinal ("on the 9th", "Monday the 18th") is a
date element too.  The same ordinals count grades, doses and anatomy ("the 5th grade",
"the 2nd dose", "the 4th ventricle"), so one is read as a day only after a weekday or
after "on/by/since/until ... the", and only where the phrase ends: before punctuation,
"at", "or the 10th", a clause.  A noun after it makes it a count.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List

import regex as uregex

from presidio_analyzer import RecognizerResult

from ..config import resource_dir
from .pii import _CodeRecognizer, make_result
from .vocabulary import MONTH_ABBREVIATIONS, MONTHS, MONTHS_THAT_ARE_WORDS, alternation

_MONTH = alternation(MONTHS + MONTH_ABBREVIATIONS, case="cased") + r"\.?"
# Written in lower case by hand ("3rd of february", "post cath sept 9"); "may" and "march" are
# ordinary words, so in lower case they count only after a day and "of"; so are "mar" and "dec"
# (decreased) in notes.
_MONTH_LOWER = alternation(m for m in MONTHS + MONTH_ABBREVIATIONS if m not in MONTHS_THAT_ARE_WORDS | {"mar", "dec"})
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_ORDINAL = r"(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)"
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
# Where a day-of-month phrase ends: punctuation (not a list of ordinals), a time, a clause.
_DAY_PHRASE_END = (
    rf"(?=[ \t]*(?:[.;:!?)\n—–]|,(?![ \t]*(?:and[ \t]+|or[ \t]+)?(?:the[ \t]+)?\d{{1,2}}(?:st|nd|rd|th))|$|"
    rf"(?:at|@|around|about|when|so|but|because|if|from|until|till|til|then|works|with|w/|is[ \t]+(?:fine|good|ok|okay|best)|"
    rf"and[ \t]+(?:then|we|i|she|he|they|it)|for[ \t]+(?:a|an|my|his|her|their|the|follow|f/u|\d)|"
    rf"(?:or|to|-|–|through|thru)[ \t]*(?:the[ \t]+)?{_ORDINAL}[ \t]*(?:[.,;:!?)\n]|$|of\b|at\b))(?![\w/])))"
)
# Spanish, common in US clinics: "8 de enero de 2027", "julio de 2026" ("mayo" only with "de").
_MES = r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)"
# Monday the 18th; on the 9th; by the 3rd at noon (see module docstring)
_DAY_OF_MONTH = [
    (re.compile(rf"(?<![\w-]){_WEEKDAY},?[ \t]+the[ \t]+{_ORDINAL}(?![\w-])", re.IGNORECASE), 0.7),
    (uregex.compile(rf"(?=the[ \t])(?<=(?<![\w-])(?:on|by|since|until|till|til|before|after|from|around|starting|through|thru|due|of)[ \t]+)the[ \t]+{_ORDINAL}(?![\w-]){_DAY_PHRASE_END}", uregex.IGNORECASE), 0.65),
]
# Words after which "4/97" is a month and year of someone's history: "s/p", "since", a procedure.
HISTORY_CUE = (r"\b(?:s/p|in|since|from|on|dated|dx(?:'d)?|hx|pmh|cabg|mi|ami|imi|stemi|nstemi|avr|mvr|ptca|pci|stent|echo|cath|"
                r"fx|surgery|repair|redo|ca|diagnosed|done|placed|cva|chf|tia|dvt|pe|rca|lad|lcx|om|pda)")  # "stent to RCA 12/82"
# 3/27-3/29, 12/30-1/2: a range of month/days, the second not before the first ("MAE 5/5-4/5" is strength)
_DAY_RANGE = re.compile(r"(?<![\w/.+-])(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])[ \t]*[-–][ \t]*(0?[1-9]|1[0-2])/"
                        r"(0?[1-9]|[12]\d|3[01])(?![\w/]|[.-]\d)")
_YEAR_MONTH = re.compile(r"(?<![\w/.-])(?:19|20)(\d\d)-(0[1-9]|1[0-2])(?![\w/]|[.-]\d)")
_PATTERNS = _DAY_OF_MONTH + [
    (_DAY_RANGE, 0.6),
    # 4/30, 04/30/2024, 9-30-1962, 11/2/44
    (re.compile(r"(?<![\w/.+-])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/(?:19|20)?\d\d)?(?![\w/]|[.-]\d)"), 0.6),
    (re.compile(r"(?<![\w/.+-])(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])-(?:19|20)?\d\d(?![\w/-]|\.\d)"), 0.6),
    # "s/p CABG 4/97", "(12/93)", "in 12/83": a month and a two-digit year after a history cue
    (uregex.compile(rf"(?<=(?:{HISTORY_CUE})[ \t:-]*|\(|[a-z]{{2}})(?:0?[1-9]|1[0-2])/(?:[3-9]\d|0\d)(?![\w/%]|\.\d)",
                    uregex.IGNORECASE), 0.6),
    # "died 2/97", "(EF 25% 6/98)": a second number of 32 or more is no day, so a month and a
    # two-digit year needs no cue (not "PEEP 5/40%", "5/325", "7.36/42/88")
    (re.compile(r"(?<![\w/.+-])(?:0?[1-9]|1[0-2])/(?:3[2-9]|[4-9]\d)(?![\w/%]|[.-]\d)"), 0.6),
    # "TEE TUES 6/10", "Thurs 3/5": a weekday makes a month/day of what could be a rating
    (re.compile(rf"(?<![\w-]){_WEEKDAY}[ \t]+(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?![\w/]|[.-]\d)", re.IGNORECASE), 0.7),
    # 09/2025, 3/2023
    (re.compile(rf"(?:(?<![\w/.-])|(?<=/(?:19|20)\d\d-))(?:0?[1-9]|1[0-2])/{_YEAR}(?![\w/]|\.\d|-\d(?!\d?/))"), 0.6),
    # Aug 2, 2024; May 3rd; Jan 5; March 2023; march of 2022; Nov 12-14; february 3rd
    (re.compile(rf"(?<![\w-])(?:{_MONTH}|{_MONTH_LOWER})[ \t]+(?:{_DAY}(?:[ \t]*[-–][ \t]*{_DAY})?(?![\w]|:\d)(?:,?[ \t]+{_YEAR})?|(?:of[ \t]+)?{_YEAR})(?![\w-])"), 0.7),
    # "in march of 2022": the two months that are words, in lower case, before "of" and a year
    (re.compile(rf"(?<![\w-])(?:march|may)[ \t]+of[ \t]+{_YEAR}(?![\w-])"), 0.7),
    # Feb '19, Sept '05: a month and a two-digit year
    (re.compile(rf"(?<![\w-])(?:{_MONTH}|{_MONTH_LOWER})[ \t]+['’]\d\d(?![\w'’])"), 0.7),
    # 15 Feb 2024; 3rd of May; 3rd of february
    (re.compile(rf"(?<![\w/.-]){_DAY}[ \t]+(?:of[ \t]+)?(?:{_MONTH}|{_MONTH_LOWER})(?:,?[ \t]+{_YEAR})?(?![\w-])"), 0.7),
    (re.compile(rf"(?<![\w/.-]){_ORDINAL}[ \t]+of[ \t]+(?:may|march)(?:,?[ \t]+{_YEAR})?(?![\w-])"), 0.7),
    # 8 de enero de 2027, 8 de enero, julio de 2026
    (re.compile(rf"(?<![\w/.-])(?:{_DAY}[ \t]+de[ \t]+{_MES}(?:[ \t]+(?:de[ \t]+|del[ \t]+)?{_YEAR})?|{_MES}[ \t]+(?:de[ \t]+|del[ \t]+){_YEAR})(?![\w-])", re.IGNORECASE), 0.7),
    # 1940-09-30, 2026-11-03 02:55 (ISO, also between the pipes of an HL7 or CSV row, where spaCy sees no token)
    (re.compile(r"(?<![\w/.-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?(?![\w/]|[.-]\d)"), 0.7),
    # 2019-05, 2021-11: a year and a month, ISO order (not "2010-11", two years running)
    (_YEAR_MONTH, 0.6),
    # 11.24.2026 (US order with dots)
    (re.compile(r"(?<![\w/.-])(?:0?[1-9]|1[0-2])\.(?:0?[1-9]|[12]\d|3[01])\.(?:19|20)\d\d(?![\w/]|[.-]\d)"), 0.6),
    # 12-Mar-2024, 12/Mar/24, Mar-12-2024
    (re.compile(rf"(?<![\w/.-])(?:{_DAY}[-/ ]{_MONTH}[-/ ](?:{_YEAR}|\d\d)|{_MONTH}[-/]{_DAY}[-/](?:{_YEAR}|\d\d))(?![\w-])"), 0.7),
    # 2024/04/02, 02.04.2024
    (re.compile(r"(?<![\w/.-])(?:(?:19|20)\d\d/[01]?\d/[0-3]?\d|[0-3]?\d\.[01]?\d\.(?:19|20)\d\d)(?![\w/]|[.-]\d)"), 0.6),
]


@lru_cache(maxsize=1)
def _holidays() -> re.Pattern[str]:
    """``lexicons/holidays.txt`` as one pattern: words apart by spaces (after a dot too: "St. Patrick's
    Day"), an apostrophe written or not."""
    from .packs import read_lexicon

    names = read_lexicon(resource_dir("recognizers") / "lexicons" / "holidays.txt")
    body = "|".join(
        r"\.?[ \t]+".join(re.escape(word).replace("'", "['’]?") for word in name.split())
        for name in sorted(names, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w'’-])(?:{body})(?![\w'’-])", re.IGNORECASE)


# "labor day 2": a day of labour, not the holiday
_LABOUR_DAY_COUNT = re.compile(r"(?i)labou?r[ \t]+day[ \t]*(?:#[ \t]*)?\d")


def is_holiday(value: str) -> bool:
    """``value`` is the name of a holiday that pins a day ("Christmas Eve")."""
    return _holidays().fullmatch(value.strip()) is not None


class HolidayRecognizer(_CodeRecognizer):
    """Holidays that pin a day (see module docstring)."""

    ENTITY = "DATE_TIME"

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        return [
            make_result(self, self.ENTITY, m.start(), m.end(), 0.6)
            for m in _holidays().finditer(text)
            if not _LABOUR_DAY_COUNT.match(text, m.start())
        ]


def holds_day_of_month(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` holds a day of the month written as an ordinal ("on the 9th"):
    a date for refinement, though it has no digits-and-slashes shape and no month."""
    if not any(ch.isdigit() for ch in text[start:end]):
        return False
    lo, hi = max(0, start - 40), min(len(text), end + 80)
    return any(start <= m.start() and m.end() <= end for p, _ in _DAY_OF_MONTH for m in p.finditer(text, lo, hi))


def is_date(value: str) -> bool:
    """``value`` is, as a whole, a date in one of the shapes above ("Oct 3-6", "4/30")."""
    return any(ch.isdigit() for ch in value) and any(p.fullmatch(value) for p, _ in _PATTERNS)


class ClinicalDateRecognizer(_CodeRecognizer):
    """Numeric and month-name dates, with or without the year (see module docstring)."""

    ENTITY = "DATE_TIME"

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        if not any(ch.isdigit() for ch in text):
            return []
        return [
            make_result(self, self.ENTITY, m.start(), m.end(), score)
            for pattern, score in _PATTERNS
            for m in pattern.finditer(text)
            if (pattern is not _DAY_RANGE or _rising(*map(int, m.groups())))
            and (pattern is not _YEAR_MONTH or is_year_month(m.group()))
        ]


def is_year_month(value: str) -> bool:
    """"2019-05": a year and a month; not "2010-11", two years running."""
    m = _YEAR_MONTH.fullmatch(value)
    return m is not None and int(m.group(2)) != (int(m.group(1)) + 1) % 100


def _rising(m1: int, d1: int, m2: int, d2: int) -> bool:
    return (m2, d2) > (m1, d1) or m1 == 12 and m2 == 1
