"""Identifiers in structured records pasted as text: delimited tables with a header
row, and HL7 v2 messages.

In a table the header says what each column holds ("mrn", "dob", "attending",
"zip"), so every cell under an identifier header is that identifier, however bare
("E0098812", "60637").  In an HL7 v2 message the position of a field says it: PID-5
is the patient's name, PID-7 the birth date, PV1-7 the attending doctor.  No other
recognizer can tell that "60637" is a ZIP code or "M2204471" a record number.
"""

from __future__ import annotations

import re
from typing import List

from presidio_analyzer import RecognizerResult

from .pii import _CodeRecognizer, make_result

SCORE = 0.75
_DELIMITERS = ("|", "\t", ",", ";")
_HEADER_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_ #./()-]{0,30}")
_EMPTY = frozenset({"", "-", "--", "n/a", "na", "null", "none", "unknown", "nan"})

# Header words -> entity type, tried in order: an "_id" suffix is an identifier before
# "patient" makes it a name.
_COLUMNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:ssn|social[ _]security)"), "US_SSN"),
    (re.compile(r"\b(?:mrn|mr[ _#]?(?:no|num|number)|medical[ _]record|chart[ _#]?(?:no|num|number)?$)"), "MEDICAL_RECORD_NUMBER"),
    (re.compile(r"\b(?:acct|account|har|fin)\b"), "ACCOUNT_NUMBER"),
    (re.compile(r"\b(?:member|subscriber|policy|insurance[ _]id|plan[ _]id)"), "HEALTH_PLAN_ID"),
    (re.compile(r"(?:^|[ _])(?:id|no|num|number|#)$|^(?:enc|encounter|visit|csn|order|accession|specimen|case|claim)\b"),
     "UNIQUE_ID"),
    (re.compile(r"\b(?:dob|birth|date|dt|admit|adm|disch|dis|dod|death|time|timestamp)\b|_dt$|^dt_"), "DATE_TIME"),
    (re.compile(r"\b(?:zip|postal|postcode)"), "ZIP_CODE"),
    (re.compile(r"\b(?:phone|tel|telephone|mobile|cell|fax)\b"), "PHONE_NUMBER"),
    (re.compile(r"\b(?:e-?mail)\b"), "EMAIL_ADDRESS"),
    (re.compile(r"\b(?:address|addr|street)\b"), "STREET_ADDRESS"),
    (re.compile(r"\b(?:city|town)\b"), "LOCATION"),
    (re.compile(r"\b(?:name|patient|attending|provider|physician|doctor|nurse|pcp|surgeon|prescriber|guarantor|"
                r"contact|first|last|given|family|surname|resident|client|member)\b"), "PERSON"),
]


# "dx_name", "drug name", "test_name": a name column about something other than a person.
_NOT_PERSON = re.compile(r"\b(?:dx|diagnosis|drug|med|medication|test|procedure|facility|hospital|clinic|company|"
                         r"org|organisation|organization|product|device|file|unit|ward|dept|department|plan|payer)\b")


def column_type(header: str) -> str | None:
    key = re.sub(r"[_\s]+", " ", header.strip().lower()).replace(" ", "_")
    spaced = key.replace("_", " ")
    for pattern, entity in _COLUMNS:
        if pattern.search(key) or pattern.search(spaced):
            return None if entity == "PERSON" and _NOT_PERSON.search(spaced) else entity
    return None


# HL7 v2: segment -> {field number: entity}; "P" = an id^family^given person field.
_HL7_FIELDS: dict[str, dict[int, str]] = {
    "MSH": {7: "DATE_TIME", 10: "UNIQUE_ID"},
    "PID": {2: "MEDICAL_RECORD_NUMBER", 3: "MEDICAL_RECORD_NUMBER", 4: "MEDICAL_RECORD_NUMBER", 5: "PERSON",
            6: "PERSON", 7: "DATE_TIME", 9: "PERSON", 11: "STREET_ADDRESS", 13: "PHONE_NUMBER", 14: "PHONE_NUMBER",
            18: "ACCOUNT_NUMBER", 19: "US_SSN", 20: "US_DRIVER_LICENSE", 29: "DATE_TIME"},
    "PV1": {7: "P", 8: "P", 9: "P", 17: "P", 19: "UNIQUE_ID", 44: "DATE_TIME", 45: "DATE_TIME"},
    "ORC": {2: "UNIQUE_ID", 3: "UNIQUE_ID", 9: "DATE_TIME", 12: "P"},
    "OBR": {2: "UNIQUE_ID", 3: "UNIQUE_ID", 6: "DATE_TIME", 7: "DATE_TIME", 8: "DATE_TIME", 14: "DATE_TIME",
            16: "P", 22: "DATE_TIME", 32: "P"},
    "OBX": {14: "DATE_TIME", 16: "P"},
    "NK1": {2: "PERSON", 4: "STREET_ADDRESS", 5: "PHONE_NUMBER", 6: "PHONE_NUMBER"},
    "GT1": {2: "UNIQUE_ID", 3: "PERSON", 5: "STREET_ADDRESS", 6: "PHONE_NUMBER", 8: "DATE_TIME", 12: "US_SSN"},
    "IN1": {2: "HEALTH_PLAN_ID", 8: "HEALTH_PLAN_ID", 16: "PERSON", 18: "DATE_TIME", 19: "STREET_ADDRESS",
            36: "HEALTH_PLAN_ID", 49: "UNIQUE_ID"},
    "EVN": {2: "DATE_TIME", 6: "DATE_TIME"},
    "TXA": {4: "DATE_TIME", 12: "UNIQUE_ID"},
}
_HL7_SEGMENT = re.compile(r"(?m)^[ \t]*([A-Z][A-Z0-9]{2})\|")


class RecordRecognizer(_CodeRecognizer):
    """Cells of delimited tables under identifier headers, and HL7 v2 fields."""

    ENTITY = "UNIQUE_ID"

    def __init__(self, known: frozenset[str] | set[str] | None = None) -> None:
        super().__init__()
        types = {e for _, e in _COLUMNS} | {e for fields in _HL7_FIELDS.values() for e in fields.values()} - {"P"}
        types |= {"PERSON", "UNIQUE_ID"}
        # only the types the registry knows (a pack defines MEDICAL_RECORD_NUMBER, UNIQUE_ID ...)
        self.known = frozenset(types if known is None else types & set(known))
        self.supported_entities = sorted(self.known)

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        out: list[tuple[str, int, int]] = []
        if "|" in text and _HL7_SEGMENT.search(text):
            out += _hl7(text)
        if any(d in text for d in _DELIMITERS) and "\n" in text:
            out += _tables(text)
        return [make_result(self, e, s, t, SCORE) for e, s, t in out if e in self.known and text[s:t].strip()]


def _fields(line: str, start: int, delimiter: str) -> list[tuple[int, int]]:
    spans, pos = [], start
    for cell in line.split(delimiter):
        spans.append((pos, pos + len(cell)))
        pos += len(cell) + 1
    return spans


def _tables(text: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    i = 0
    while i < len(lines) - 1:
        start, header = lines[i]
        delimiter = next((d for d in _DELIMITERS if header.count(d) >= 2), None)
        if delimiter is None or _HL7_SEGMENT.match(header):
            i += 1
            continue
        names = [h.strip() for h in header.split(delimiter)]
        types = [column_type(h) if _HEADER_FIELD.fullmatch(h) else None for h in names]
        # prose has commas too: a comma or semicolon header is short labels, none a sentence
        words = 2 if delimiter in ",;" else 4
        if (not all(_HEADER_FIELD.fullmatch(h) and len(h.split()) <= words and not h.endswith(".") for h in names if h)
                or not any(types)):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j][1].count(delimiter) == header.count(delimiter) and lines[j][1].strip():
            row_start, row = lines[j]
            for (s, e), entity in zip(_fields(row, row_start, delimiter), types):
                cell = text[s:e]
                if entity and cell.strip().lower() not in _EMPTY:
                    lead = len(cell) - len(cell.lstrip())
                    out.append((entity, s + lead, s + len(cell.rstrip())))
            j += 1
        i = j if j > i + 1 else i + 1
    return out


def _hl7(text: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for m in _HL7_SEGMENT.finditer(text):
        segment = m.group(1)
        wanted = _HL7_FIELDS.get(segment)
        line_end = text.find("\n", m.start())
        line_end = len(text) if line_end < 0 else line_end
        line_start = m.start(1)
        spans = _fields(text[line_start:line_end], line_start, "|")
        offset = 1 if segment == "MSH" else 0  # MSH-1 is the separator itself
        for number, entity in (wanted or {}).items():
            k = number - offset
            if k >= len(spans):
                continue
            s, e = spans[k]
            for rs, re_ in _repeats(text, s, e):
                if entity == "P":
                    comps = _components(text, rs, re_)
                    if comps and text[comps[0][0]:comps[0][1]].strip():
                        out.append(("UNIQUE_ID", *comps[0]))
                    names = [c for c in comps[1:4] if text[c[0]:c[1]].strip()]
                    if names:
                        out.append(("PERSON", names[0][0], names[-1][1]))
                elif entity in ("PERSON", "STREET_ADDRESS"):
                    out.append((entity, rs, re_))
                else:
                    first = _components(text, rs, re_)[0]
                    out.append((entity, *first))
    return [x for x in out if x[2] > x[1]]


def _repeats(text: str, s: int, e: int) -> list[tuple[int, int]]:
    return _split(text, s, e, "~")


def _components(text: str, s: int, e: int) -> list[tuple[int, int]]:
    return _split(text, s, e, "^")


def _split(text: str, s: int, e: int, sep: str) -> list[tuple[int, int]]:
    parts, pos = [], s
    for piece in text[s:e].split(sep):
        parts.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    return parts
