"""Pseudonymisation for the ``cloud_redacted`` route, and re-identification of the answer.

``pseudonymize`` replaces every finding the policy marks ``redact`` with a
placeholder such as ``<PERSON_1>``.  The same value (case and spacing aside)
gets the same placeholder within a document, so the cloud model can still
reason about "who did what".  The ``Mapping`` lives only in memory: it has no
``__repr__`` of its values, is never logged, written or sent.

``rewrite`` is the general form: a ``generalize`` function may keep part of a
value in clear beside its placeholder (``<DATE_TIME_1> (2023)``), or the whole
value when it is no identifier at all; ``safe_harbor.py`` uses it for the
``hipaa-safe-harbor`` policy transform.  What it writes in clear on purpose is
reported as ``Rewritten.kept`` spans, so the leak guard can tell the transform's
own output from a value left behind.

``restore`` puts the original values back into the model's answer and tolerates
the ways models mangle placeholders: ``<person_1>``, ``[PERSON_1]``,
``PERSON 1``, ``{PERSON-1}``, ``**PERSON_1**``.  A placeholder repeated with
its clear note (``<DATE_TIME_1> (2023)``) is restored as a whole.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .detect.findings import Finding
from .detect.rescan import Edit


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass
class Mapping:
    """Placeholder → original value, for one document.  In memory only."""

    _by_token: dict[str, str] = field(default_factory=dict, repr=False)
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)
    _notes: dict[str, str] = field(default_factory=dict, repr=False)  # token → what is kept in clear beside it

    def token_for(self, entity_type: str, value: str, note: str = "") -> str:
        key = (entity_type, _norm(value))
        if key not in self._by_value:
            n = self._counts.get(entity_type, 0) + 1
            self._counts[entity_type] = n
            token = f"<{entity_type}_{n}>"
            self._by_value[key] = token
            self._by_token[token] = value
            if note:
                self._notes[token] = note
        return self._by_value[key]

    def written(self, token: str) -> str:
        """The token as it appears in the outgoing text: with its clear note, if any."""
        note = self._notes.get(token)
        return f"{token} ({note})" if note else token

    @property
    def tokens(self) -> list[str]:
        return list(self._by_token)

    def values(self) -> list[str]:
        return list(self._by_token.values())

    def __len__(self) -> int:
        return len(self._by_token)

    def __repr__(self) -> str:
        return f"Mapping({len(self)} placeholders)"


def merge_spans(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping findings become one span, typed by the longest member."""
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            keep = last if (last.end - last.start) >= (f.end - f.start) else f
            merged[-1] = Finding(keep.entity_type, keep.category, last.start, max(last.end, f.end), max(last.score, f.score), keep.recognizer)
        else:
            merged.append(f)
    return merged


def every_occurrence(text: str, findings: Iterable[Finding]) -> list[Finding]:
    """The findings plus every other place their values occur (whole words, any case).

    A name detected once must be hidden everywhere: the second "Dana" in a letter
    is as identifying as the first, whether or not a recognizer flagged it.
    """
    spans = merge_spans(findings)
    starts = [f.start for f in spans]
    extra: list[Finding] = []
    seen: set[str] = set()
    for f in spans:
        value = " ".join(text[f.start : f.end].split())
        if len(value) < 2 or value.casefold() in seen:
            continue
        seen.add(value.casefold())
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in value.split(" ")) + r"(?!\w)"
        for m in re.finditer(pattern, text, re.IGNORECASE):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and spans[i].end > m.start() or (i + 1 < len(spans) and spans[i + 1].start < m.end()):
                continue  # already covered
            extra.append(Finding(f.entity_type, f.category, m.start(), m.end(), f.score, "same-value"))
    return merge_spans(spans + extra) if extra else spans


@dataclass(frozen=True)
class Kept:
    """How one value is written: ``clear`` leaves it as it is (it is no identifier);
    else a placeholder, followed by ``note`` in brackets when there is one."""

    clear: bool = False
    note: str = ""


# (entity type, value) → how to write it; None: a bare placeholder for every value
Generalize = Callable[[str, str], Kept]


@dataclass(frozen=True)
class Rewritten:
    """Outgoing text, its mapping, the spans of ``text`` that the transform
    wrote in clear on purpose (a placeholder with its note, a value left as it is),
    and every replacement made (``Edit``: where it was, where its text is now)."""

    text: str
    mapping: Mapping = field(repr=False)
    kept: tuple[tuple[int, int], ...] = ()
    edits: tuple[Edit, ...] = ()


def rewrite(text: str, findings: Iterable[Finding], mapping: Mapping | None = None, generalize: Generalize | None = None) -> Rewritten:
    """Replace each finding, and every other occurrence of its value, as ``generalize`` says
    (default: its placeholder)."""
    mapping = mapping if mapping is not None else Mapping()
    out: list[str] = []
    kept: list[tuple[int, int]] = []
    edits: list[Edit] = []
    pos = length = 0
    for f in every_occurrence(text, findings):
        value = text[f.start : f.end]
        how = generalize(f.entity_type, value) if generalize is not None else Kept()
        piece = value if how.clear else mapping.written(mapping.token_for(f.entity_type, value, how.note))
        before = text[pos : f.start]
        out += (before, piece)
        length += len(before)
        if how.clear or how.note:
            kept.append((length, length + len(piece)))
        if not how.clear:
            edits.append(Edit(f.start, f.end, length, length + len(piece)))
        length += len(piece)
        pos = f.end
    out.append(text[pos:])
    return Rewritten("".join(out), mapping, tuple(kept), tuple(edits))


def pseudonymize(text: str, findings: Iterable[Finding], mapping: Mapping | None = None) -> tuple[str, Mapping]:
    """Replace each finding, and every other occurrence of its value, with its placeholder.
    Returns the text and the mapping."""
    done = rewrite(text, findings, mapping)
    return done.text, done.mapping


def _token_pattern(token: str) -> str:
    m = re.fullmatch(r"<([A-Z0-9_]+)_(\d+)>", token)
    assert m, token
    name = r"[\s_-]*".join(re.escape(part) for part in m.group(1).split("_"))
    # spaces belong to the placeholder only inside brackets: "Dear PERSON_1 and" keeps both of its spaces
    return rf"(?:[<\[{{(]\s*)?{name}[\s_-]*{m.group(2)}(?!\d)(?:\s*[>\]}})])?"


def restore(answer: str, mapping: Mapping) -> str:
    """Put original values back where the answer mentions placeholders."""
    if not len(mapping):
        return answer
    # longest type names first so <US_BANK_NUMBER_1> is not read as <BANK_NUMBER_1>
    tokens = sorted(mapping.tokens, key=len, reverse=True)

    def pattern(token: str) -> str:
        note = mapping._notes.get(token)
        tail = rf"(?:\s*\(\s*{re.escape(note)}\s*\))?" if note else ""
        return _token_pattern(token) + tail

    combined = re.compile("|".join(f"(?P<t{i}>{pattern(t)})" for i, t in enumerate(tokens)), re.IGNORECASE)

    def sub(m: re.Match[str]) -> str:
        i = int(m.lastgroup[1:])  # type: ignore[index]
        return mapping._by_token[tokens[i]]

    return combined.sub(sub, answer)
