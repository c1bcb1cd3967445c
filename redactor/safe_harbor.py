"""The HIPAA Safe Harbor method (45 CFR 164.514(b)(2)) for values the policy redacts.

``transform.rewrite`` asks ``generalize(entity_type, value)`` how to write each
value that leaves.  Most become a bare placeholder (``<PERSON_1>``); a few keep
what Safe Harbor lets out, in clear beside the placeholder, so the cloud model
can still reason with it and the answer can still be re-identified locally:

- a date keeps its year only: ``<DATE_TIME_1> (2023)``;
- a date whose year lies 89 years back or more could reveal an age over 89
  (a birth date, an old admission): its year goes too, aggregated into one
  category, ``<DATE_TIME_2> (90 or more years ago)``;
- a year on its own is not an identifier and stays as it is, unless it is that old;
- an age over 89 becomes ``<AGE_OVER_89_1> (90 or older)``;
- a US ZIP code keeps its first three digits, ``<ZIP_CODE_1> (021xx)``, or ``000xx``
  for the sparsely populated prefixes listed in ``data/restricted_zip3.toml``.

Which values are redacted at all is the policy's business
(``policies/hipaa-safe-harbor.toml``), not this module's.  One more thing is:
``undetected_dates`` finds numeric dates that NER does not report ("02/03" in a
statement column, "1/5/2025"), because Safe Harbor removes every element of a date
and text under this method may not leave with one.  The pipeline and the guard add
them for this transform only.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from .config import PACKAGE_DIR, read_toml
from .errors import ConfigError
from .detect.categories import QUASI
from .detect.findings import Finding
from .transform import Kept
from .detect.vocabulary import MONTH_ABBREVIATIONS, MONTH_STEMS, MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS, alternation

NAME = "hipaa-safe-harbor"
RESTRICTED_ZIP3_FILE = PACKAGE_DIR / "data" / "restricted_zip3.toml"

# A year of the 19th to 21st century, not part of a longer number.
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
# What may surround a year in a phrase that says nothing more than the year:
# "in 2019", "the 1990s", "mid-2019", "2018-2019", "since 2015".
_YEAR_ONLY_REST = re.compile(
    r"(?:\b(?:in|the|of|year|years|since|from|to|until|till|through|by|early|mid|late|and|between|circa|ca|c|s)\b|[\s'’.,()/–—-]|s\b)*",
    re.IGNORECASE,
)
_MONTH = re.compile(rf"\b{alternation(MONTH_STEMS)}(?:[a-z]*)\.?(?![a-z])", re.IGNORECASE)
_US_ZIP = re.compile(r"\s*(\d{3})\d{2}(?:[\s-]?\d{4})?\s*")

AGE_NOTE = "90 or older"
OLD_DATE_NOTE = "90 or more years ago"
# A year this many years back or more may belong to someone aged 90 or more today
# (born in that year, not yet had this year's birthday: 89; had it: 90).
OLD_YEARS = 89


# d/m/y or m/d/y with a 2- or 4-digit year; y-m-d; and mm/dd with two digits each.
_DMY = re.compile(r"(?<![\w/.:-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/:-]|\.\d)")
_YMD = re.compile(r"(?<![\w/.:-])(1[89]\d\d|20\d\d)([/.-])(\d{1,2})\2(\d{1,2})(?![\w/:-]|\.\d)")
_MD = re.compile(r"(?<![\w/.:-])(\d\d)/(\d\d)(?![\w/:-]|\.\d)")
# a month and day written short ("2/3", "3/21") and a range of them ("3/4-3/6")
_MD_SHORT = re.compile(r"(?<![\w/.:-])(\d{1,2})/(\d{1,2})(?![\w/:%-]|\.\d)")
_MD_RANGE = re.compile(r"(?<![\w/.:-])(\d{1,2})/(\d{1,2})[ \t]*[-–][ \t]*(\d{1,2})/(\d{1,2})(?![\w/:%-]|\.\d)")
_FRACTION_AFTER = re.compile(r"(?i)[ \t]*(?:ns|nss|str(?:ength)?|tab|tabs|amp|amps|bottles?|cultures?|up|way|of|"
                             r"dose|liters?|l\b|units?|mg|ml|cc|hrs?|hours?|maintenance|bld|blood)\b")
_SETTING_BEFORE = re.compile(r"(?i)\b(?:ps|psv|ips|cpap|simv|imv|peep|bipap|a/?c|mode|settings?|flowby|flow-by|mae|"
                             r"strength|motor|grips?|pupils?|gcs|pain|score|ratio|x)[ \t:=]*$")
_SETTING_NEAR = re.compile(r"(?i)\b(?:ps|psv|cpap|peep|bipap|vent|mae|strength|motor|grips?)\b")
# A holiday pins a day of the year ("BY CHRISTMAS", "over thanksgiving", "until labor day").
_HOLIDAY = re.compile(
    r"(?i)(?<![\w-])(?:christmas(?:[ \t]+(?:eve|day))?|x-?mas|thanksgiving(?:[ \t]+day)?|new[ \t]+year'?s?(?:[ \t]+(?:eve|day))?|"
    r"easter(?:[ \t]+sunday)?|halloween|(?:labou?r|memorial|veterans'?|independence|presidents'?|columbus|"
    r"mother'?s|father'?s|valentine'?s|mlk|martin[ \t]+luther[ \t]+king(?:[ \t]+jr\.?)?)[ \t]+day|"
    r"(?:the[ \t]+)?(?:fourth|4th)[ \t]+of[ \t]+july|july[ \t]+4th)(?![\w-])"
)
# A day of the month named alone after a time word ("on the 23rd", "up the 19th", "since the 2nd"),
# unless a count follows ("the 2nd floor", "the 3rd dose").
_DAY_ALONE = re.compile(
    r"(?i)\b(?:on|by|since|until|till|til|before|after|from|around|starting|through|thru|due|up|of)[ \t]+"
    r"(the[ \t]+(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th))(?![\w-])(?![ \t]+(?:floor|time|times|attempt|dose|doses|day|days|"
    r"week|weeks|line|degree|round|cycle|try|trial|shift|visit|level|percentile|grade|stage|place|one|of[ \t]+\d))"
)
# a month and a year ("in march of 2022", "Sept '98"): the month is an element of a date
_MONTH_YEAR = re.compile(rf"(?i)(?<![\w-])(?:{alternation(MONTHS + MONTH_ABBREVIATIONS)})\.?[ \t]+(?:of[ \t]+)?"
                         r"(?:'\d{2}|(?:19|20)\d{2})(?![\w'’/-])")
# a time of day is an element of a date-time too: "signed at 16:42", "9:05 pm"
_TIME = re.compile(r"(?<![\w/.:-])([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s*[ap]\.?m\.?)?(?![\w/:-]|\.\d)", re.IGNORECASE)
# Spanish weekdays ("lunes 12 de febrero")
_DIAS = ("lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo")
# a weekday or a clock time written beside a date is an element of it: "SAT 7/11", "Tuesday 2/3",
# "11/9 at 2130", "7/27 at 10:15", "3/15/2011 5:12 AM", "12/22/26 2:40P", "2/6 @ 2300: ..."
_WEEKDAY_BEFORE = re.compile(rf"(?i)(?<![\w-])(?:{alternation(WEEKDAYS + WEEKDAY_ABBREVIATIONS + _DIAS)})\.?,?[ \t]+(?:el[ \t]+)?$")
_CLOCK_AFTER = re.compile(r"(?i)[ \t]*,?[ \t]*(?:(?:at|@)[ \t]*)?((?:[01]?\d|2[0-3]):[0-5]\d(?:[ \t]*[ap]\.?m\.?|[ap](?!\w))?|(?:[01]\d|2[0-3])[0-5]\d(?:[ \t]*(?:hrs?|h))?|(?:1[0-2]|0?[1-9])[ \t]*[ap]\.?m\.?)(?![\w/-]|[:.]\d)")
# a 24-hour time written right before a date or as a range after it: "1342 8/27/23", "1/24/23 1330-1430"
_CLOCK_BEFORE = re.compile(r"(?<![\w/.:-])(?:(?:[01]\d|2[0-3])[0-5]\d|(?:[01]?\d|2[0-3]):[0-5]\d)[ \t]+$")
_CLOCK_RANGE_AFTER = re.compile(r"[ \t]+((?:[01]\d|2[0-3])[0-5]\d[ \t]*[-–][ \t]*(?:[01]\d|2[0-3])[0-5]\d)(?![\w/:-]|\.\d)")
# what may close a time of day: "7:12 AM", "5:42 PM CST"
_MERIDIEM_AFTER = re.compile(r"[ \t]*(?:(?i:[ap]m|[ap]\.m\.)(?:[ \t]+[ECMPA][SD]T)?|[ECMPA][SD]T|UTC|GMT)(?![\w])")
DATE_SWEEP = "safe-harbor-date"


def _not_a_date(text: str, start: int, end: int) -> bool:
    """A short "a/b" that is a setting, a dose, a fraction or a score as notes write them
    ("PS 10/5", "1/2 NS", "MAE 5/5", "pain 7/10").  Anything else counts as a month and day:
    under Safe Harbor a fraction masked by mistake costs less than a date left in clear."""
    a, b = (int(x) for x in text[start:end].split("/"))
    before = text[max(0, start - 24) : start]
    return (b == 10 and a <= 10  # a score out of ten
            or b <= 8 and bool(_FRACTION_AFTER.match(text, end))  # "1/2 NS", "3/4 strength", "2/4 bottles"
            or bool(_SETTING_BEFORE.search(before))  # "PS 10/5", "MAE 5/5", "strength 4/5"
            or a == b and bool(_SETTING_NEAR.search(before)))


def _month_day(a: int, b: int) -> bool:
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


def undetected_dates(text: str, findings) -> list[Finding]:
    """Dates no finding covers, as ``DATE_TIME`` findings: numeric dates, short month/days and
    their ranges, a month and a two-digit year ("4/97"), a month and a year ("march of 2022"), a weekday
    or a clock time beside a date ("SAT 7/11", "11/9 at 2130"), holidays, a day of the month named alone ("on the 23rd"), times of day.
    "10/10" (a score out of ten), settings, doses and ratios that cannot be a month and a
    day are left alone."""
    spans = [(f.start, f.end) for f in findings if f.entity_type != "DATE_YEAR"]  # "march of 2022" holds a year
    out: list[Finding] = []

    def add(start: int, end: int) -> None:
        if not any(s < end and start < e for s, e in spans):
            out.append(Finding("DATE_TIME", QUASI, start, end, 0.6, DATE_SWEEP))
            spans.append((start, end))

    for m in _YMD.finditer(text):
        if _month_day(int(m.group(3)), int(m.group(4))) and 1 <= int(m.group(3)) <= 12:
            add(*m.span())
    for m in _DMY.finditer(text):
        if _month_day(int(m.group(1)), int(m.group(3))):
            add(*m.span())
    for m in _MD.finditer(text):
        if m.group() != "10/10" and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31:
            add(*m.span())
    for m in _MD_RANGE.finditer(text):  # "MICU 11/04-11/06", "INPT 3/4-3/6": both ends are dates
        if all(1 <= int(m.group(i)) <= 12 and 1 <= int(m.group(i + 1)) <= 31 for i in (1, 3)):
            add(m.start(1), m.end(2))
            add(m.start(3), m.end(4))
    for m in _MD_SHORT.finditer(text):  # "PEG PLACED 2/3", "INR CHECK 3/21": unless a setting, dose or score
        # a month and a day, or a month and a two-digit year ("s/p CABG 4/97", "stent 12/82")
        if 1 <= int(m.group(1)) <= 12 and int(m.group(2)) >= 1 and not _not_a_date(text, *m.span()):
            add(*m.span())
    for m in _DAY_ALONE.finditer(text):
        add(*m.span(1))
    for pattern in (_HOLIDAY, _MONTH_YEAR, _TIME):
        for m in pattern.finditer(text):
            add(*m.span())
    for d in [f for f in findings if f.entity_type == "DATE_TIME"] + out:
        # the date grows over them (overlapping it: ``rewrite`` writes one placeholder for the
        # whole phrase), so a weekday, an "at" or an "AM" is not left in clear beside it
        start, end = d.start, d.end
        if c := _CLOCK_BEFORE.search(text, max(0, d.start - 12), d.start):
            start = c.start()
        if w := _WEEKDAY_BEFORE.search(text, max(0, start - 12), start):
            start = w.start()
        if t := _CLOCK_AFTER.match(text, d.end) or _CLOCK_RANGE_AFTER.match(text, d.end):
            end = t.end(1)
        if m := _MERIDIEM_AFTER.match(text, end):
            end = m.end()
        if (start, end) != (d.start, d.end) and text[start:end].strip() != text[d.start:d.end].strip():
            out.append(Finding("DATE_TIME", QUASI, start, end, 0.6, DATE_SWEEP))
    return out


@lru_cache(maxsize=1)
def restricted_zip3() -> frozenset[str]:
    data = read_toml(RESTRICTED_ZIP3_FILE, ConfigError)
    prefixes = data.get("prefixes")
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and re.fullmatch(r"\d{3}", p) for p in prefixes):
        raise ConfigError(f"{RESTRICTED_ZIP3_FILE}: 'prefixes' must be a list of three-digit strings")
    return frozenset(prefixes)


def zip3(value: str) -> str | None:
    """The three digits a US ZIP code may keep ("000" for a restricted prefix), or None."""
    m = _US_ZIP.fullmatch(value)
    if m is None:
        return None
    return "000" if m.group(1) in restricted_zip3() else m.group(1)


def years_in(value: str) -> list[int]:
    return [int(y) for y in dict.fromkeys(_YEAR.findall(value))]


def is_year_only(value: str) -> bool:
    """The phrase names a year (or years) and nothing finer: "2019", "the 1990s", "2018-2019"."""
    if not _YEAR.search(value):
        return False
    rest = _YEAR.sub(" ", value)
    return _YEAR_ONLY_REST.fullmatch(rest) is not None


def generalize(entity_type: str, value: str, today: date | None = None) -> Kept:
    """How Safe Harbor writes one redacted value (see the module docstring)."""
    if entity_type == "DATE_TIME":
        if not any(ch.isdigit() for ch in value) and not _MONTH.search(value):
            return Kept(clear=True)  # "Tuesday", "this morning": no element of a date
        years = years_in(value)
        cutoff = (today or date.today()).year - OLD_YEARS
        if any(y <= cutoff for y in years):
            return Kept(note=OLD_DATE_NOTE)
        if years and is_year_only(value):
            return Kept(clear=True)
        return Kept(note=", ".join(str(y) for y in years))
    if entity_type == "AGE_OVER_89":
        return Kept(note=AGE_NOTE)
    if entity_type == "ZIP_CODE":
        prefix = zip3(value)
        return Kept(note=f"{prefix}xx" if prefix else "")
    return Kept()
