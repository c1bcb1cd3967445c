"""The leak guard: the last check on the exact bytes that would leave the machine.

Right before a cloud call the whole outgoing payload — system prompt, task and
document, as serialised for the request — is scanned again and decided under
the same policy, doubts included (``detect/doubt.py``).  It passes only if that
decision is ``cloud``: nothing left in clear that the policy would redact, keep
local or block.  For pseudonymised
payloads it also checks that no original value of the mapping appears in it,
whatever the scanner thinks.  Placeholders themselves are ignored, and so is
what the transform wrote in clear on purpose (``Rewritten.kept``: a date's year
beside its placeholder, "90 or older", a ZIP code's first three digits): the
guard is told those spans, it does not guess them from their shape.

Strong identifiers are refused whatever the policy's categories and
``unknown_entity`` say: an identifier confirmed by a checksum or validity rules
(card, IBAN, SSN, NPI, DEA, MBI, routing number … every pack entry with a
``validator``, see ``Scanner.checksum_types``) or a health or financial
identifier confirmed by its label (``LABELLED_IDENTIFIERS``) passes only when
the policy allows its entity type by name (``[entities.NPI] action = "allow"``;
the same for non-personal ones such as ISIN or CUSIP).  A permissive category
rule or a misspelt or catch-all rule never lets one out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .detect.findings import Finding
from .detect.doubt import find_doubts
from .detect.refine import CREDENTIALS
from .detect.scanner import Scanner
from .policy import Decision, Policy, Route, decide
from .transform import Mapping, Rewritten, _norm
from .transforms import transform_of

_PLACEHOLDER = re.compile(r"<[A-Z0-9_]+_\d+>")
_PERSON_BEFORE = re.compile(r"<PERSON_\d+>[ ,]{0,3}$")

# Health and financial identifiers with no checksum, reported only beside their
# label ("MRN", "member id", "acct #"); the label makes them as certain as a checksum.
LABELLED_IDENTIFIERS = frozenset({"MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_ID", "US_BANK_NUMBER", "ACCOUNT_NUMBER"})


@dataclass(frozen=True)
class GuardVerdict:
    ok: bool
    reason: str = ""  # a rule id or "mapping-value-in-payload"; never a value
    decision: Decision | None = None


def payload_text(messages: list[dict[str, str]]) -> str:
    return "\n".join(m.get("content", "") for m in messages)


def check_payload(
    messages: list[dict[str, str]],
    scanner: Scanner,
    policy: Policy,
    mapping: Mapping | None = None,
    document: Rewritten | None = None,
    doubts: Callable[[str, list[Finding]], Iterable[Finding]] = find_doubts,
    found: Sequence[Finding] | None = None,
) -> GuardVerdict:
    """``document``: the transformed document inside the payload, whose ``kept`` spans
    are the transform's own output.  ``doubts``: ``find_doubts`` or a memo of it (the
    gateway's scan cache): it must return exactly what ``find_doubts`` returns.
    ``found``: what a scan of the payload reads, when known without one (the gateway's
    ``detect.rescan`` of a pseudonymised text); else the payload is scanned."""
    text = payload_text(messages)
    kept = _kept_spans(text, document)
    if mapping is not None and len(mapping):
        # the transform's own output may contain a short value by chance ("90 or older", age 90);
        # a value counts as a whole word: "ER" is not in "answer"
        folded = _norm(_blank(text, kept))
        if any(re.search(rf"(?<!\w){re.escape(_norm(v))}(?!\w)", folded) for v in mapping.values()):
            return GuardVerdict(False, "guard.mapping-value-in-payload")
    if found is None:
        found = scanner.scan(text).findings
    found = [f for f in found if not _degree_after_placeholder(text, f)]
    found += transform_of(policy).findings(text, found)  # what the transform removes of its own
    placeholders = [m.span() for m in _PLACEHOLDER.finditer(text)] + kept
    findings = [f for f in (*found, *doubts(text, found)) if not _in_placeholder(f, placeholders)]
    decision = decide(findings, policy)
    if decision.route is not Route.CLOUD:
        return GuardVerdict(False, f"guard.{decision.reasons[0].rule}", decision)
    strong = scanner.checksum_types | LABELLED_IDENTIFIERS
    for f in findings:
        if f.entity_type in strong and policy.action_for(f) != (f"entity.{f.entity_type}", "allow"):
            return GuardVerdict(False, f"guard.identifier.{f.entity_type}", decision)
    return GuardVerdict(True, "", decision)


def _kept_spans(text: str, document: Rewritten | None) -> list[tuple[int, int]]:
    if document is None or not document.kept:
        return []
    at = text.find(document.text)
    if at < 0:  # not where we expected it: exempt nothing
        return []
    return [(at + s, at + e) for s, e in document.kept]


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` replaced by a character no value contains (never by a space,
    which could join the words around it into a value)."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = "\ufffc" * (e - s)
    return "".join(chars)


def _degree_after_placeholder(text: str, f: Finding) -> bool:
    """"<PERSON_2>, MD": a degree after a pseudonymised name, not Maryland (as ``refine``
    reads it after a name in clear)."""
    return f.entity_type == "LOCATION" and text[f.start : f.end] in CREDENTIALS and bool(
        _PERSON_BEFORE.search(text, max(0, f.start - 20), f.start)
    )


def _in_placeholder(f: Finding, placeholders: list[tuple[int, int]]) -> bool:
    return any(s <= f.start and f.end <= e for s, e in placeholders)
