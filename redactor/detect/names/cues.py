"""Context around a run: honorifics and name cues before it, person verbs and
speaker colons after it, list separators, surname endings, and place cues
(``_PlaceCues``)."""

from __future__ import annotations

from functools import cached_property

import regex as re

from .lexicons import Lexicons, fold
from .runs import Run
from ..vocabulary import FOREIGN_HONORIFICS, HONORIFICS, alternation


_HONORIFIC_BEFORE = re.compile(
    rf"(?:\b{alternation(HONORIFICS + FOREIGN_HONORIFICS, case='title')}\.?"
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
    r"(?:office|offices|branch|store|plant|campus|clinic|hospital)\s+in|(?:dr\.?|doctor)\s+[\w'’-]+(?:\s+[\w'’-]+)?\s+in|where\s*:|city\s*:|town\s*:|country\s*:|"
    r"place\s+of\s+birth\s*:?|birthplace\s*:?|visit(?:ing|ed)?|serving(?:\s+(?:northern|southern|eastern|western|central))?)"
    r"[ \t]+$",
    re.IGNORECASE,
)
_NAME_COMMA_BEFORE = re.compile(r"\p{Lu}[\p{L}\p{M}'’.-]+,[ \t]*$")
_LINE_END_AFTER = re.compile(r"[ \t]*(?:$|\n|\|)")
_PLACE_IN_BEFORE = re.compile(r"\b(?:in|from|near|outside)[ \t]+$")
_PLACE_PREP_BEFORE = re.compile(r"\b(?:in|to|from|at|near|of|via|toward|towards|outside|around)[ \t]+$", re.IGNORECASE)
# "Tallinn, Estonia", "Springfield, IL": a place is followed by its country or state.
_US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI".split()
)
_US_STATE_NAMES = frozenset(
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois "
    "indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri "
    "montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington "
    "wisconsin wyoming".split()
) | {"new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "rhode island",
     "south carolina", "south dakota", "west virginia", "puerto rico"}
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
    def inside(self) -> bool:  # "a shelter in Tacoma", not "Reading the report"
        return bool(_PLACE_IN_BEFORE.search(self.text, max(0, self.run.start - 12), self.run.start)) and not _sentence_initial(
            self.text, self.run.start)

    @cached_property
    def heading(self) -> bool:  # "Spring Wind Assisted Living, Laramie" ending its line: a letterhead
        return bool(_NAME_COMMA_BEFORE.search(self.text, max(0, self.run.start - 40), self.run.start)) and bool(
            _LINE_END_AFTER.match(self.text, self.run.end))

    @cached_property
    def _next(self) -> str:  # what follows ", " after the run: "Estonia", "IL"
        m = _COMMA_NEXT.match(self.text[self.run.end : self.run.end + 45])
        return m.group(1).strip() if m else ""

    @cached_property
    def region(self) -> bool:  # ", Estonia", ", IL"
        return bool(self._next) and (fold(self._next) in self.lex.places or self._next in _US_STATE_CODES)

    @cached_property
    def state(self) -> bool:  # ", VT", ", Vermont": what a US town is followed by
        return self._next in _US_STATE_CODES or fold(self._next) in _US_STATE_NAMES
