"""Scanning an edited text again, near its edits only.

The leak guard reads the exact text that would leave.  On the pseudonymised
route that text is a scanned original with some spans replaced by placeholders,
and away from every replacement it is the original, byte for byte.  What a
recognizer reads at a place depends on the text near it: a cue a few words
before ("MRN", "Dr."), spaCy's window of a few tokens either side, the line it
sits on.  So ``rescan`` keeps the original's findings where nothing changed and
scans again only around each edit: the edit's *core* (``REACH`` characters
either side of it) is read from a window ``REACH`` wider still, started at its
line when the line starts near, else at a word, so every finding in the core is
read with the context a full scan would give it.  A finding of the original that
no edit touched is kept even inside a core: the result never reads less than
the original did.  When the windows would cover most of the text, the whole
text is scanned instead, which costs what the full rescan costs.

How close this is to a full rescan is measured, not assumed:
``benchmarks/bench_guard.py`` compares both over the labelled sets, and
``tests/test_rescan.py`` holds the leak guard's verdicts to the full rescan's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .doubt import find_doubts
from .findings import Finding
from .names.runs import typed_in_lower_case
from .shorthand import is_shorthand

REACH = 120  # characters of context either side of an edit that may read differently
FULL_SHARE = 0.5  # windows covering more of the text than this: scan it all


@dataclass(frozen=True)
class Edit:
    """One replacement: ``[start, end)`` of the original became ``[at, to)`` of the edited text."""

    start: int
    end: int
    at: int
    to: int


# texts → their findings, in order (``Scanner.scan`` or a cache of it)
ScanMany = Callable[[list[str]], list[Sequence[Finding]]]


@dataclass(frozen=True)
class Reading:
    """What the edited text reads as: its findings, and its doubts (``detect/doubt.py``)
    when they could be carried too (None: compute them on the whole text)."""

    findings: tuple[Finding, ...]
    doubts: tuple[Finding, ...] | None = None


def rescan(text: str, found: Sequence[Finding], edits: Sequence[Edit], scan_many: ScanMany,
           before: tuple[str, Sequence[Finding]] | None = None) -> Reading:
    """What a scan of ``text`` reads, where ``text`` is a scanned original with ``edits``
    made and ``found`` is the original's scan.  ``before``: the original text and its doubts;
    the doubts are then carried and redone in the windows as the findings are, when the
    original and the edited text are read alike (both in lower case or neither, both
    shorthand or neither)."""
    if not edits:
        return Reading(tuple(found), tuple(before[1]) if before is not None else None)
    windows = _windows(text, sorted(edits, key=lambda e: e.at))
    if sum(end - start for (start, end), _ in windows) > FULL_SHARE * len(text):
        return Reading(tuple(scan_many([text])[0]))
    pieces = [(start, cores, text[start:end]) for (start, end), cores in windows]
    scanned = scan_many([piece for _, _, piece in pieces])
    findings = _merge(_carried(found, edits), [(start, cores, f) for (start, cores, _), f in zip(pieces, scanned)])
    doubts = None
    lower, shorthand = typed_in_lower_case(text), is_shorthand(text)
    if before is not None and (lower, shorthand) == (typed_in_lower_case(before[0]), is_shorthand(before[0])):
        redone = [(start, cores, find_doubts(piece, f, lower=lower, shorthand=shorthand))
                  for (start, cores, piece), f in zip(pieces, scanned)]
        doubts = _merge(_carried(before[1], edits), redone)
    return Reading(findings, doubts)


def _merge(carried: list[Finding], fresh: list[tuple[int, list[tuple[int, int]], Sequence[Finding]]]) -> tuple[Finding, ...]:
    """The carried findings, and each window's own (moved to the text's offsets) where they touch a core."""
    out = {_key(f): f for f in carried}
    for start, cores, found in fresh:
        for f in found:
            f = replace(f, start=f.start + start, end=f.end + start)
            if any(f.start < ce and cs < f.end for cs, ce in cores):
                out.setdefault(_key(f), f)
    return tuple(sorted(out.values(), key=lambda f: (f.start, f.end, f.entity_type)))


def _key(f: Finding) -> tuple[str, int, int]:
    return f.entity_type, f.start, f.end


def _carried(found: Sequence[Finding], edits: Sequence[Edit]) -> list[Finding]:
    """The original's findings that no edit touched, moved to their place in the edited text."""
    out = []
    for f in found:
        if any(e.start < f.end and f.start < e.end for e in edits):
            continue
        shift = sum((e.to - e.at) - (e.end - e.start) for e in edits if e.end <= f.start)
        out.append(replace(f, start=f.start + shift, end=f.end + shift))
    return out


def _windows(text: str, edits: list[Edit]) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """(window, its cores) per group of nearby edits, in text order."""
    merged: list[tuple[tuple[int, int], list[tuple[int, int]]]] = []
    for e in edits:
        core = (max(0, e.at - REACH), min(len(text), e.to + REACH))
        window = (_start_of_context(text, core[0]), _end_of_context(text, core[1]))
        if merged and window[0] <= merged[-1][0][1]:
            (start, end), cores = merged[-1]
            merged[-1] = ((start, max(end, window[1])), cores + [core])
        else:
            merged.append((window, [core]))
    return merged


def _start_of_context(text: str, core_start: int) -> int:
    """``REACH`` before the core, back to its line's start if that is near, else to a word's."""
    at = max(0, core_start - REACH)
    line = text.rfind("\n", 0, at) + 1
    if at - line <= REACH:
        return line
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _end_of_context(text: str, core_end: int) -> int:
    """``REACH`` after the core, on to the end of a word."""
    at = min(len(text), core_end + REACH)
    while at < len(text) and not text[at].isspace():
        at += 1
    return at
