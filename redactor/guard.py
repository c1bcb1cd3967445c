"""The leak guard: the last check on the exact bytes that would leave the machine.

Right before a cloud call the whole outgoing payload — system prompt, task and
document, as serialised for the request — is scanned again and decided under
the same policy, doubts included (``detect/doubt.py``).  It passes only if that
decision is ``cloud``: nothing left in clear that the policy would redact, keep
local or block.  For pseudonymised
payloads it also checks that no original value of the mapping appears in it,
whatever the scanner thinks.  Placeholders themselves are ignored.

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
from dataclasses import dataclass

from .detect.findings import Finding
from .detect.doubt import find_doubts
from .detect.scanner import Scanner
from .policy import Decision, Policy, Route, decide
from .transform import Mapping, _norm

_PLACEHOLDER = re.compile(r"<[A-Z0-9_]+_\d+>")

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


def check_payload(messages: list[dict[str, str]], scanner: Scanner, policy: Policy, mapping: Mapping | None = None) -> GuardVerdict:
    text = payload_text(messages)
    if mapping is not None and len(mapping):
        folded = _norm(text)
        if any(_norm(v) in folded for v in mapping.values()):
            return GuardVerdict(False, "guard.mapping-value-in-payload")
    found = scanner.scan(text).findings
    placeholders = [m.span() for m in _PLACEHOLDER.finditer(text)]
    findings = [f for f in (*found, *find_doubts(text, found)) if not _in_placeholder(f, placeholders)]
    decision = decide(findings, policy)
    if decision.route is not Route.CLOUD:
        return GuardVerdict(False, f"guard.{decision.reasons[0].rule}", decision)
    strong = scanner.checksum_types | LABELLED_IDENTIFIERS
    for f in findings:
        if f.entity_type in strong and policy.action_for(f) != (f"entity.{f.entity_type}", "allow"):
            return GuardVerdict(False, f"guard.identifier.{f.entity_type}", decision)
    return GuardVerdict(True, "", decision)


def _in_placeholder(f: Finding, placeholders: list[tuple[int, int]]) -> bool:
    return any(s <= f.start and f.end <= e for s, e in placeholders)
