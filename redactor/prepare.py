"""The prepare stage, shared by every face: decide → reroute → transform → guard.

Batch runs, the library, Spark and the gateway all decide here, and this module is
the only place a route changes after ``decide()``.  Every change goes towards local
and is appended to the decision's reasons, so the audit trail explains it:

- ``cloud-not-configured``: no API key or base URL; the cloud routes run locally.
- a face's own reason, given as ``force_local`` (the gateway: ``client-requested-local``
  for a ``local/…`` model, ``gateway-embeddings-local``).
- ``unmaskable-field``: something to redact where a placeholder cannot go (a gateway
  request's tool names, schemas, field names; ``serve/fields.py``).
- ``guard.<rule>``: the leak guard found something in the outgoing payload.
- ``cloud-failed.<what>``: the cloud failed and ``cloud.fallback_to_local`` is on (``fallback``).
- ``embeddings-not-switched``: a gateway embedding the policy would not send as it is (``unmasked``).

One step decides a document or a conversation (``decide_texts``): findings first; when
that decision would let text leave, the doubt pass's findings (``detect/doubt.py``) and
the transform's own (``transforms.py``: Safe Harbor's undetected dates) are added for the
texts that may be rewritten, and the policy decides again.  One step writes what leaves
(``rewrite_for``): the values the policy redacts, as the policy's transform writes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .backends.base import Message
from .backends.longdoc import SYSTEM_PROMPT, build_messages
from .detect.doubt import find_doubts
from .detect.findings import Finding, ScanResult
from .detect.scanner import Scanner
from .errors import EmptyDocument, RedactorError, UnexpectedError
from .guard import GuardVerdict, check_payload
from .ingest.document import Document
from .policy import Decision, Policy, Route, decide
from .transform import Mapping, Rewritten, rewrite
from .transforms import transform_of

CLOUD_ROUTES = (Route.CLOUD, Route.CLOUD_REDACTED)

Doubts = Callable[[str, Sequence[Finding]], Iterable[Finding]]


# ----------------------------------------------------------------------------- decide


def decide_texts(texts: Sequence[str], findings: Sequence[Sequence[Finding]], policy: Policy, *,
                 rewritable: Sequence[bool] | None = None, doubts: Doubts | None = None,
                 ) -> tuple[Decision, list[tuple[Finding, ...]]]:
    """The decision for texts decided as one (a document is one text; a conversation its
    messages), and each text's findings it acts on: the scanner's, then — when the first
    decision would let text leave — the doubt pass's and the transform's own, for the
    ``rewritable`` texts (default: all).  ``doubts``: ``find_doubts`` or a memo of it."""
    acted = [tuple(f) for f in findings]
    decision = decide([f for fs in acted for f in fs], policy)
    if decision.route not in CLOUD_ROUTES:
        return decision, acted
    transform, doubts = transform_of(policy), doubts or find_doubts
    for i, text in enumerate(texts):
        if rewritable is None or rewritable[i]:
            added = tuple(doubts(text, acted[i]))
            acted[i] = acted[i] + added + tuple(transform.findings(text, acted[i] + added))
    return decide([f for fs in acted for f in fs], policy), acted


def decide_with_doubts(scan: ScanResult, policy: Policy) -> tuple[Decision, tuple[Finding, ...]]:
    """``decide_texts`` for one scanned text: the decision and the findings it acts on
    (``findings[len(scan.findings):]`` are the doubt pass's and the transform's).
    ``redactor scan`` shows exactly these, so it reports what ``run`` does."""
    decision, acted = decide_texts([scan.text], [scan.findings], policy)
    return decision, acted[0]


def reroute(decision: Decision, *, cloud_configured: bool, force_local: str = "") -> Decision:
    """The changes before any payload is built: no cloud, then the face's own reason."""
    if decision.route in CLOUD_ROUTES and not cloud_configured:
        decision = decision.rerouted(Route.LOCAL, "cloud-not-configured")
    if decision.route in CLOUD_ROUTES and force_local:
        decision = decision.rerouted(Route.LOCAL, force_local)
    return decision


def to_redact(findings: Iterable[Finding], policy: Policy) -> list[Finding]:
    return [f for f in findings if policy.action_for(f)[1] == "redact"]


def rewrite_for(policy: Policy, text: str, findings: Iterable[Finding]) -> Rewritten:
    """``text`` with the values the policy redacts written as its transform writes them."""
    return rewrite(text, to_redact(findings, policy), generalize=transform_of(policy).generalize)


def unmaskable(decision: Decision) -> Decision:
    return decision.rerouted(Route.LOCAL, "unmaskable-field")


def guarded(decision: Decision, verdict: GuardVerdict) -> Decision:
    """The decision after the leak guard's verdict on the payload."""
    return decision if verdict.ok else decision.rerouted(Route.LOCAL, verdict.reason)


def fallback(decision: Decision, what: str) -> Decision:
    """The cloud failed (``what``: the error class or code) and the policy let this text leave:
    the local model answers instead (never the reverse)."""
    assert decision.route in CLOUD_ROUTES
    return decision.rerouted(Route.LOCAL, f"cloud-failed.{what}")


def unmasked(decision: Decision, reason: str) -> Decision:
    """Text that may leave only masked, where masking cannot be used (embeddings)."""
    return decision.rerouted(Route.LOCAL, reason)


# ----------------------------------------------------------------------------- a document


@dataclass
class Prepared:
    """A document after detect → decide → transform → guard, ready to dispatch.

    Holds the in-memory pseudonym mapping: it may cross a process pipe between
    redactor's own workers, and is never written or logged.
    """

    doc: Document
    task: str
    scan: ScanResult | None = None
    decision: Decision | None = None
    messages: list[Message] | None = None  # the guard-approved cloud payload
    outgoing_text: str = ""
    mapping: Mapping | None = field(default=None, repr=False)
    error: RedactorError | None = None
    prepare_ms: float = 0.0
    doubts: tuple[Finding, ...] = ()  # the doubt pass's and the transform's findings (spans only), counted in the audit record


def unexpected(e: Exception) -> UnexpectedError:
    return UnexpectedError(f"unexpected {type(e).__name__} while processing this document")


def prepare(
    document: str | Document,
    task: str,
    scanner: Scanner,
    policy: Policy,
    *,
    cloud_configured: bool,
    scan: ScanResult | None = None,
) -> Prepared:
    """The CPU half of the flow; safe to run in a worker process with its own Scanner.

    ``scan`` is the document's detection result when the caller already has it
    (``prepare_many`` scans a batch in one ``nlp.pipe`` pass)."""
    doc = document if isinstance(document, Document) else Document.from_text(document)
    start = time.perf_counter()
    p = Prepared(doc, task)
    if not doc.text.strip():  # nothing to answer: nothing is scanned, decided or sent (outcome skipped)
        p.error = EmptyDocument(doc.id, "empty or whitespace-only text")
        return p
    try:
        p.scan = scan if scan is not None else scanner.scan(doc)
        p.decision, findings = decide_with_doubts(p.scan, policy)
        p.doubts = findings[len(p.scan.findings):]
        p.decision = reroute(p.decision, cloud_configured=cloud_configured)
        if p.decision.route in CLOUD_ROUTES:
            _cloud_payload(p, findings, scanner, policy)
    except RedactorError as e:
        p.error = e
    except Exception as e:  # a bug or a library failure: fail closed, nothing is sent
        p.error = unexpected(e)
    p.prepare_ms = (time.perf_counter() - start) * 1000
    return p


def prepare_many(
    documents: Sequence[Document], task: str, scanner: Scanner, policy: Policy, *, cloud_configured: bool
) -> list[Prepared]:
    """``prepare()`` for a batch, in order: detection runs once over the batch
    (``Scanner.scan_many``), the rest per document.  If the batch scan fails,
    each document is prepared alone, so one bad document fails alone."""
    start = time.perf_counter()
    try:
        scans = list(scanner.scan_many(documents, batch_size=max(1, len(documents))))
    except RedactorError:
        return [prepare(d, task, scanner, policy, cloud_configured=cloud_configured) for d in documents]
    scan_ms = (time.perf_counter() - start) * 1000 / max(1, len(documents))
    out = []
    for doc, scan in zip(documents, scans):
        p = prepare(doc, task, scanner, policy, cloud_configured=cloud_configured, scan=scan)
        p.prepare_ms += scan_ms
        out.append(p)
    return out


def _cloud_payload(p: Prepared, findings: tuple[Finding, ...], scanner: Scanner, policy: Policy) -> None:
    assert p.decision is not None
    text, system = p.doc.text, SYSTEM_PROMPT
    rewritten: Rewritten | None = None
    if p.decision.route is Route.CLOUD_REDACTED:
        rewritten = rewrite_for(policy, text, findings)
        text, p.mapping = rewritten.text, rewritten.mapping
        system += " " + transform_of(policy).model_note()
    messages = build_messages(system, p.task, text)
    p.decision = guarded(p.decision, verdict := check_payload(messages, scanner, policy, p.mapping, rewritten))
    if not verdict.ok:
        p.mapping = None
        return
    p.messages, p.outgoing_text = messages, text
