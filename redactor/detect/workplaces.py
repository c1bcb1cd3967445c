"""``EMPLOYER``: a place of work, study, worship or care named behind a cue, in any case.

``recognizers/phi.yaml`` (``employer``) finds such names where a capital letter starts them
("works at Halden Mills") or where a word for their kind ends them ("the maple hollow
bakery").  A note written in lower case or in capitals has neither: "pt works nights at
quarry ridge data systems.", "PT IS A BAKER AT THE COPPER KETTLE.", "former employer
alder & finch cider house sent a card".  What tells the name there is the cue before it
and where it ends: a few words of its own up to a punctuation mark, the end of the line,
a number or a word that goes on with the sentence ("with", "since", "weekdays", "sent").

Cues: "employer" (also "employer (...)"), "employed by/at", "works (nights) at", "job at",
"shift at", an occupation after "a", "an", "is", "as", "retired" or "former" ("a line cook
at", "is a retired deacon at"), "day program at", a home or program "run by", and a
cleric "from" or "of" a congregation ("pastor from ...").  Nothing is read when the words
are a generic phrase: an article or a pronoun first ("at a warehouse", "at his uncle's"),
a common word for where one is ("at home", "at night", "at bedside", "at goal"), a
verb ("employer called", "works at clearing secretions"), or a noun for a kind of place
at the end ("at the post office", "at the grocery store", "day program at the hospital").
"""

from __future__ import annotations

from typing import List

import regex as re
from presidio_analyzer import RecognizerResult

from .pii import _CodeRecognizer, make_result

ENTITY = "EMPLOYER"
SCORE = 0.55  # under a facility or a person read at 0.6 on the same words ("a nurse at Quarry Hill General")

# Work done at a place: "a line cook at", "is an accountant at", "as a retired deacon at", "former welders at".
_OCCUPATIONS = (
    "chef cook baker barista bartender server waiter waitress dishwasher cashier clerk stocker accountant "
    "bookkeeper teller banker minister pastor priest rabbi imam deacon chaplain teacher professor instructor "
    "tutor librarian principal coach aide paraprofessional nurse cna lpn rn medic paramedic emt pharmacist "
    "technician tech mechanic welder machinist electrician plumber carpenter roofer painter mason laborer "
    "labourer operator driver trucker courier foreman supervisor manager director administrator secretary "
    "receptionist assistant janitor custodian housekeeper guard officer firefighter engineer programmer "
    "developer analyst designer architect attorney lawyer paralegal consultant salesman saleswoman "
    "salesperson rep representative agent editor reporter writer volunteer intern student employee worker "
    "counselor therapist caregiver groundskeeper landscaper butcher dispatcher scientist researcher owner "
    "partner associate stylist hairdresser barber"
).split()
_CUE = re.compile(
    r"(?i)\b(?:employer|employed[ \t]+(?:by|at)"
    r"|(?:works?|worked|working)(?:[ \t]+(?:part[ -]time|full[ -]time|weekends|nights|days|evenings|overnights|"
    r"shifts?|now|still|currently))?[ \t]+at"
    r"|(?:job|shift|internship|position)[ \t]+at"
    rf"|(?:a|an|is|as|retired|former)[ \t]+(?:[\p{{L}}-]+[ \t]+){{0,2}}(?:{'|'.join(_OCCUPATIONS)})s?[ \t]+at"
    r"|(?:day|vocational|work|day[ \t]+treatment|after[ -]?school|adult[ \t]+day)[ \t]+program[ \t]+at"
    r"|(?:home|house|program|residence|shelter|housing|apartments?)[ \t]+(?:run|operated|managed|owned)[ \t]+by"
    r"|(?:pastor|priest|rabbi|imam|reverend|chaplain|deacon)[ \t]+(?:from|of|at))"
    r"(?:[ \t]*[:(][ \t]*|[ \t]+)"
)
# One word of a name ("alder", "o'hara", "tri-county") or an ampersand, and the gap before the next.
_WORD = re.compile(r"(&|\p{L}[\p{L}\p{M}'’-]*)(?![\p{L}\p{M}\d])")
_GAP = re.compile(r"[ \t]+")
_MAX_WORDS = 5

# Words that go on with the sentence, so end a name before them: "... sent flowers", "... with
# fragrance exposure", "... weekdays", "... as a cook", "... hr rep called".
_STOP = frozenset(
    "with since sent and or in on for as to until till who which where that is was are were has had have will "
    "would can could but so because when while x weekdays weekends daily nightly nights days mornings evenings "
    "weekly full part now currently still again also then per via from at by after before during meetings "
    "called calls says said reports states aware notified off out the pt patient he she they him her them his "
    "their it its this there here about into over under without if not no yet prior ago doing making last next "
    "through thru hr rep starting beginning planned downtown visited visits came comes stopped brought dropped "
    "phoned emailed faxed wants needs requires requested informed contacted provided offered paid pays gave "
    "gives left".split()
)
# First words that make a generic phrase or a status, not a name: "at a warehouse", "at home", "employer
# aware", "works at times", "employer paperwork".  After "the" only the determiners count ("the gilded ...").
_NOT_FIRST_AFTER_THE = _STOP | frozenset(
    "a an my our your these those same local nearby family other another new old one two three several multiple "
    "various".split()
)
_NOT_FIRST = _NOT_FIRST_AFTER_THE | frozenset(
    "home work night day time times least most all any some each every different baseline bedside goal rate "
    "risk hand length present school hospital church clinic ed er or icu micu sicu ccu cvicu nicu picu pacu self "
    "retired unemployed disabled none n/a na aa unknown health human what whatever nothing something everything "
    "max maximum minimum min capacity level pace stated directly location plan identification id number based "
    "sponsored contact phone fax info information name address letter note form forms paperwork request "
    "requests insurance benefits restrictions shift job desk computer staff pastoral spiritual provides offers "
    "covers pays supports allows accommodates knows understands agrees expects asks".split()
)
# A verb, not a name, after the cue: "works at clearing secretions", "employer called", "employer notified".
_VERB_FORM = re.compile(r"(?i)\p{L}{4,}ing|\p{L}{3,}ed")
# Last words of a generic place ("the post office", "nursing home", "day program at the hospital").
_GENERIC_LAST = frozenset(
    "store shop office plant factory hospital clinic home job site warehouse facility center centre school "
    "station company business firm restaurant farm bank mill yard place building department dept unit floor "
    "desk ward construction level capacity rate pace time bedside night area room counter kitchen lab program "
    "shelter church diner bar mall casino hotel motel care health staff".split()
)
# What may follow a name: a punctuation mark, the end of the line or of the text, a number, a dash.
_END = re.compile(r"[ \t]*(?:[.,;:!?)(\[\]\"/]|\r?\n|$)|[ \t]+(?:-|\d)")
_NEXT_WORD = re.compile(r"[ \t]+(\p{L}+)(?![\p{L}\p{M}'’-])")
_THE = re.compile(r"(?i)the[ \t]+")


class WorkplaceRecognizer(_CodeRecognizer):
    """Names behind a cue of work, study, worship or care (see module docstring)."""

    ENTITY = ENTITY

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        results = []
        for cue in _CUE.finditer(text):
            span = _name_after(text, cue.end())
            if span:
                results.append(make_result(self, ENTITY, *span, SCORE))
        return results


def _name_after(text: str, pos: int) -> tuple[int, int] | None:
    """The name that starts at ``pos``, or None: "the" and two words or more, or one word or
    more, ending where a stop word, a punctuation mark, a number or the line's end follows."""
    start, words, end = pos, [], pos
    the = _THE.match(text, pos)
    if the:
        pos = the.end()
    while len(words) <= _MAX_WORDS:
        m = _WORD.match(text, pos)
        if not m or m.group(1).lower() in _STOP:
            break
        words.append(m.group(1).lower())
        end = m.end()
        gap = _GAP.match(text, end)
        if not gap:
            break
        pos = gap.end()
    if not words or len(words) > _MAX_WORDS or (the and len(words) < 2) or not _ends_here(text, end):
        return None
    first, last = words[0], words[-1]
    if len(first) < 2 or first in (_NOT_FIRST_AFTER_THE if the else _NOT_FIRST):
        return None
    if not the and _VERB_FORM.fullmatch(first):
        return None
    if last in ("&", "of") or last in _GENERIC_LAST or last.removesuffix("s") in _GENERIC_LAST:
        return None
    return start, end


def _ends_here(text: str, end: int) -> bool:
    if _END.match(text, end):
        return True
    nxt = _NEXT_WORD.match(text, end)
    return bool(nxt and nxt.group(1).lower() in _STOP)
