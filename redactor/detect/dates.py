"""Dates as clinical notes write them, which Presidio's date patterns score too low
(0.1 for "2/15", 0.2 for "09/2025") or miss ("Aug 2, 2024", "May 3rd").

Under HIPAA Safe Harbor every element of a date but the year is an identifier, so a
month and day alone ("f/u 4/30") count.  A slash pair that is a reading or a dose
("BP 120/80", "pain 7/10", "1/2 tab") looks the same; ``clinical.py`` removes those
in refinement, where the words around it are weighed.
"""

from __future__ import annotations

import re
from typing import List

from presidio_analyzer import RecognizerResult

from .pii import _CodeRecognizer, make_result

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|"
    r"JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|"
    r"JAN|FEB|MAR|APR|JUN|JUL|AUG|SEPT?|OCT|NOV|DEC)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_PATTERNS = [
    # 4/30, 04/30/2024, 9-30-1962, 11/2/44
    (re.compile(r"(?<![\w/.+-])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/(?:19|20)?\d\d)?(?![\w/]|[.-]\d)"), 0.6),
    (re.compile(r"(?<![\w/.+-])(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])-(?:19|20)?\d\d(?![\w/-]|\.\d)"), 0.6),
    # 09/2025, 3/2023
    (re.compile(rf"(?<![\w/.-])(?:0?[1-9]|1[0-2])/{_YEAR}(?![\w/]|[.-]\d)"), 0.6),
    # 01/2026-07/2026: a span of months
    (re.compile(rf"(?<![\w/.-])(?:0?[1-9]|1[0-2])/{_YEAR}[ \t]*[-–][ \t]*(?:0?[1-9]|1[0-2])/{_YEAR}(?![\w/])"), 0.6),
    # Nov 12-14
    (re.compile(rf"(?<![\w-]){_MONTH}[ \t]+(?:0?[1-9]|[12]\d|3[01])[ \t]*[-–][ \t]*(?:0?[1-9]|[12]\d|3[01])(?![\w:])"), 0.7),
    # "on the 12th", "Thursday the 14th", "3rd of february": a day of the month in words
    (re.compile(r"(?i)(?<![\w-])(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day[ \t]+)?the[ \t]+(?:[12]?\d|3[01])(?:st|nd|rd|th)\b"
                r"(?![ \t]+(?:percentile|grade|time|times|day|days|week|weeks|visit|dose|cycle|floor|century|birthday|"
                r"attempt|round|try|place|line|rib|toe|finger|nerve|ventricle|of[ \t]+(?:the|a|an|my|his|her|their|our)\b))"), 0.6),
    (re.compile(r"(?i)(?<![\w/.-])(?:[12]?\d|3[01])(?:st|nd|rd|th)[ \t]+of[ \t]+(?:january|february|march|april|may|june|july|"
                r"august|september|october|november|december)\b"), 0.7),
    # Aug 2, 2024; May 3rd; Jan 5; March 2023
    (re.compile(rf"(?<![\w-]){_MONTH}[ \t]+(?:{_DAY}(?![\w:])(?:,?[ \t]+{_YEAR})?|{_YEAR})(?![\w-])"), 0.7),
    # 15 Feb 2024; 3rd of May
    (re.compile(rf"(?<![\w/.-]){_DAY}[ \t]+(?:of[ \t]+)?{_MONTH}(?:,?[ \t]+{_YEAR})?(?![\w-])"), 0.7),
    # 12-Mar-2024, 12/Mar/24, Mar-12-2024
    (re.compile(rf"(?<![\w/.-])(?:{_DAY}[-/ ]{_MONTH}[-/ ](?:{_YEAR}|\d\d)|{_MONTH}[-/]{_DAY}[-/](?:{_YEAR}|\d\d))(?![\w-])"), 0.7),
    # 2024/04/02, 02.04.2024
    (re.compile(r"(?<![\w/.-])(?:(?:19|20)\d\d/[01]?\d/[0-3]?\d|[0-3]?\d\.[01]?\d\.(?:19|20)\d\d)(?![\w/]|[.-]\d)"), 0.6),
]


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
        ]
