"""The calendar and the forms of address, once, for every recognizer and filter that needs them.

Each user picks what it needs from these lists (a filter that drops honorifics before a name
takes ``HONORIFICS``; a date pattern takes ``MONTHS`` and ``MONTH_ABBREVIATIONS``), and
builds its patterns with ``alternation``: a list changes here, for all of them.
"""

from __future__ import annotations

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
#: "sept" beside "sep": both are written.
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
#: Month stems a word may start with ("Jan", "January", "Janvier" alike): the abbreviations plus "may".
MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: Months that are also ordinary English words: in lower case they need a date around them.
MONTHS_THAT_ARE_WORDS = frozenset({"march", "may"})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Weekdays written short ("SAT 7/11", "Thurs 6/2").
WEEKDAY_ABBREVIATIONS = ("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")
#: Forms of address before a name, lower case, without their full stop.
HONORIFICS = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame", "lord", "lady", "rev", "fr")
#: Forms of address in other languages, as they are written before a name in English text.
FOREIGN_HONORIFICS = ("sra", "sr", "herr", "frau", "mme", "mlle", "madame", "monsieur", "señor", "señora", "signor",
                      "signora")
#: The ones that are a title even in lower case without a full stop ("ms" is multiple sclerosis,
#: "miss" a verb, "prof" a word of its own).
LOWER_CASE_HONORIFICS = ("dr", "mr", "mrs", "mx")
#: How notes write a doctor before a surname: "Dr Ruiz", "Drs Okafor and Brandt", "DR'S ORDERS".
DOCTOR_FORMS = ("dr", "drs", "dr's", "doctor")
#: The ones written most, which filters of capitalised words treat as titles.
# Words for relatives and people close to a patient, before whose name a note writes them ("DAUGHTER MAYA")
RELATIVES = ("son", "daughter", "dtr", "wife", "husband", "spouse", "mom", "mother", "dad", "father", "brother", "sister",
             "niece", "nephew", "aunt", "uncle", "cousin", "grandson", "granddaughter", "grandmother", "grandfather",
             "grandma", "grandpa", "stepfather", "stepmother", "stepson", "stepdaughter", "stepbrother", "stepsister",
             "stepdad", "stepmom", "parent", "parents", "guardian", "sponsor", "fob", "roommate", "partner", "caregiver", "friend", "neighbor", "neighbour", "boyfriend", "girlfriend",
             "fiance", "fiancee", "fiancé", "fiancée")
COMMON_HONORIFICS = ("mr", "mrs", "ms", "miss", "dr", "prof")


def alternation(words, *, case: str = "lower") -> str:
    """A regex group of ``words`` (longest first), written ``lower``, ``title``, ``upper``, ``cased``
    (title and upper) or ``all`` three."""
    forms = {"lower": (str.lower,), "title": (str.title,), "upper": (str.upper,), "cased": (str.title, str.upper),
             "all": (str.title, str.upper, str.lower)}[case]
    seen = {f(w) for w in words for f in forms}
    return "(?:" + "|".join(sorted(seen, key=lambda w: (-len(w), w))) + ")"
