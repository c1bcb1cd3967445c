"""The flow for one document: detect → decide → transform → guard → dispatch → restore → audit.

When the first decision would let text leave, the doubt pass (``detect/doubt.py``)
adds low-score findings for what no recognizer explained, and the policy
decides again with them.

``Pipeline.process()`` is the only place the stages are wired together, in that
order, and the only place a route changes after ``decide()``; every change is
appended to the decision's reasons, so the audit trail explains it:

- ``cloud-not-configured``: no API key or base URL; the cloud routes run locally.
- ``guard.<rule>``: the leak guard found something in the outgoing payload.
- ``cloud-failed``: the cloud call failed and ``cloud.fallback_to_local`` is on.

Routes only ever change towards local.  If the local model is missing or fails,
the document fails: it is never sent to the cloud instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from . import __version__
from .audit.event import AuditEvent, AuditSink
from .backends import Backend, CloudBackend, Completion, Message, complete_long, local_backend
from .backends.longdoc import build_messages
from .config import Settings, load_settings
from .detect.doubt import find_doubts
from .detect.findings import Finding, ScanResult
from .detect.scanner import Scanner
from .errors import CloudError, IngestError, RedactorError, UnexpectedError
from .guard import check_payload
from .ingest.document import Document
from .policy import Decision, Policy, Route, decide, load_policy
from .safe_harbor import generalize as safe_harbor, undetected_dates
from .transform import Generalize, Mapping, Rewritten, restore, rewrite

SYSTEM_PROMPT = "You are a careful assistant. Answer the task about the document concisely."
REDACTED_NOTE = (
    " Some values in the document were replaced by placeholders such as <PERSON_1>. "
    "Keep every placeholder exactly as written; never guess the original values."
)
# How each policy ``transform`` writes the values it redacts, and what the model is told about it.
GENERALIZERS: dict[str, Generalize | None] = {"pseudonymize": None, "hipaa-safe-harbor": safe_harbor}
TRANSFORM_NOTES = {
    "pseudonymize": "",
    "hipaa-safe-harbor": (
        " A placeholder may be followed, in brackets, by what may be known of its value,"
        " such as a year; use it, and keep both exactly as written."
    ),
}


@dataclass(frozen=True)
class Result:
    """What happened to one document.  ``answer`` is re-identified (for the caller only)."""

    document_id: str
    outcome: str  # ok | blocked | error
    decision: Decision | None
    answer: str | None = None
    completion: Completion | None = None
    error: str = ""  # "ErrorClass: message" — messages never carry document values
    error_class: str = ""
    scan: ScanResult | None = field(default=None, repr=False)
    latency_ms: float = 0.0  # prepare + dispatch, as recorded in the audit trail

    @property
    def route(self) -> str:
        return self.decision.route.value if self.decision else "none"

    @property
    def reasons(self) -> list[str]:
        return [str(r) for r in self.decision.reasons] if self.decision else []


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
    try:
        p.scan = scan if scan is not None else scanner.scan(doc)
        findings = p.scan.findings
        p.decision = decide(findings, policy)
        if p.decision.route in (Route.CLOUD, Route.CLOUD_REDACTED):
            # text may leave: what no recognizer explained counts as a doubt
            findings = findings + tuple(find_doubts(doc.text, findings))
            if policy.transform == "hipaa-safe-harbor":  # every element of a date, found or not
                findings = findings + tuple(undetected_dates(doc.text, findings))
            p.decision = decide(findings, policy)
        if p.decision.route in (Route.CLOUD, Route.CLOUD_REDACTED) and not cloud_configured:
            p.decision = p.decision.rerouted(Route.LOCAL, "cloud-not-configured")
        if p.decision.route in (Route.CLOUD, Route.CLOUD_REDACTED):
            _prepare_cloud_payload(p, findings, scanner, policy)
    except RedactorError as e:
        p.error = e
    except Exception as e:  # a bug or a library failure: fail closed, nothing is sent
        p.error = _unexpected(e)
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


def _prepare_cloud_payload(p: Prepared, findings: tuple[Finding, ...], scanner: Scanner, policy: Policy) -> None:
    assert p.decision is not None
    text, system = p.doc.text, SYSTEM_PROMPT
    rewritten: Rewritten | None = None
    if p.decision.route is Route.CLOUD_REDACTED:
        redact = [f for f in findings if policy.action_for(f)[1] == "redact"]
        rewritten = rewrite(text, redact, generalize=GENERALIZERS[policy.transform])
        text, p.mapping = rewritten.text, rewritten.mapping
        system += REDACTED_NOTE + TRANSFORM_NOTES[policy.transform]
    messages = build_messages(system, p.task, text)
    verdict = check_payload(messages, scanner, policy, p.mapping, rewritten)
    if not verdict.ok:
        p.decision = p.decision.rerouted(Route.LOCAL, verdict.reason)
        p.mapping = None
        return
    p.messages, p.outgoing_text = messages, text


def _unexpected(e: Exception) -> UnexpectedError:
    return UnexpectedError(f"unexpected {type(e).__name__} while processing this document")


class Pipeline:
    """Route documents between a cloud model and a local one, by policy.  Thread-safe."""

    def __init__(
        self,
        settings: Settings,
        *,
        scanner: Scanner | None = None,
        policy: Policy | None = None,
        cloud: Backend | None = None,
        local: Backend | None = None,
        audit: AuditSink | None = None,
        run_id: str | None = None,
    ) -> None:
        self.settings = settings
        self._scanner = scanner
        self._scanner_lock = threading.Lock()
        self.policy = policy or load_policy(settings.policy)
        if cloud is None and settings.cloud.configured:
            cloud = CloudBackend(settings.cloud)
        self.cloud = cloud
        self.local = local or local_backend(settings.local)
        self.audit = audit
        self.run_id = run_id or uuid.uuid4().hex[:16]

    @property
    def scanner(self) -> Scanner:
        """Built on first use: a batch run whose worker processes scan never loads spaCy here."""
        if self._scanner is None:
            with self._scanner_lock:
                if self._scanner is None:
                    self._scanner = Scanner(self.settings)
        return self._scanner

    @scanner.setter
    def scanner(self, scanner: Scanner) -> None:
        self._scanner = scanner

    @classmethod
    def from_config(cls, config_file: str | Path | None = None, *, audit: bool = True, **overrides) -> "Pipeline":
        settings = load_settings(config_file, **overrides)
        sink = None
        if audit and settings.audit.enabled:
            from .audit.store import AuditTrail

            sink = AuditTrail.from_settings(settings)
        return cls(settings, audit=sink)

    @property
    def cloud_configured(self) -> bool:
        return self.cloud is not None

    # -- one document -------------------------------------------------------

    def process(self, document: str | Document, task: str, *, max_tokens: int = 512) -> Result:
        """Prepare and dispatch one document; the result is also recorded in the audit trail."""
        return self.dispatch(self.prepare(document, task), max_tokens=max_tokens)

    def process_many(self, documents: Iterable[str | Document], task: str, *, max_tokens: int = 512) -> Iterator[Result]:
        """Stream results in input order; one document in memory at a time."""
        for doc in documents:
            yield self.process(doc, task, max_tokens=max_tokens)

    def prepare(self, document: str | Document, task: str) -> "Prepared":
        return prepare(document, task, self.scanner, self.policy, cloud_configured=self.cloud is not None)

    def dispatch(self, prepared: "Prepared", *, max_tokens: int = 512) -> Result:
        """Send a prepared document where its decision says, restore the answer, record the outcome."""
        result = self.answer(prepared, max_tokens=max_tokens)
        self.record(prepared, result)
        return result

    def answer(self, prepared: "Prepared", *, max_tokens: int = 512) -> Result:
        """``dispatch()`` without the audit record: the batch runner stores the
        answer between the two (see ``batch.py``), then calls ``record()``."""
        p = prepared
        start = time.perf_counter()
        decision = p.decision
        try:
            if p.error is not None:
                raise p.error
            assert decision is not None
            completion, mapping = None, None
            if decision.route in (Route.CLOUD, Route.CLOUD_REDACTED):
                assert self.cloud is not None and p.messages is not None
                try:
                    completion = complete_long(self.cloud, system=p.messages[0]["content"], task=p.task,
                                               document=p.outgoing_text, max_tokens=max_tokens)
                    mapping = p.mapping
                except CloudError as e:
                    if not self.settings.cloud.fallback_to_local:
                        raise
                    decision = decision.rerouted(Route.LOCAL, f"cloud-failed.{type(e).__name__}")
            if decision.route is Route.LOCAL:
                completion = complete_long(self.local, system=SYSTEM_PROMPT, task=p.task, document=p.doc.text, max_tokens=max_tokens)
            if decision.route is Route.BLOCKED or completion is None:
                result = Result(p.doc.id, "blocked", decision, scan=p.scan)
            else:
                answer = restore(completion.text, mapping) if mapping is not None else completion.text
                result = Result(p.doc.id, "ok", decision, answer, completion, scan=p.scan)
        except Exception as e:  # one document fails alone, with its error class recorded
            e = e if isinstance(e, RedactorError) else _unexpected(e)
            result = Result(p.doc.id, "error", decision, error=f"{type(e).__name__}: {e}", error_class=type(e).__name__, scan=p.scan)
        latency_ms = round(p.prepare_ms + (time.perf_counter() - start) * 1000, 1)
        return dataclasses.replace(result, latency_ms=latency_ms)

    # -- audit ----------------------------------------------------------------

    def record_input_failure(self, error: IngestError) -> int | None:
        """A file that could not be read still leaves an audit record (outcome error).
        Returns the record's seq when the sink gives one."""
        if self.audit is None:
            return None
        return self.audit.record(
            AuditEvent(
                run_id=self.run_id, document_id=error.path, document_sha256="", document_size=0,
                entity_counts={}, category_counts={}, top_scores={}, route="none",
                reasons=["ingest"], policy_version=self.policy.version, outcome="error",
                error_class=type(error).__name__, tool_version=__version__,
            )
        )

    def record(self, prepared: "Prepared", result: Result) -> int | None:
        """Append the audit record of ``result``; returns its seq when the sink gives one."""
        if self.audit is None:
            return None
        doc, task = prepared.doc, prepared.task
        scan, decision, c = result.scan, result.decision, result.completion
        return self.audit.record(
            AuditEvent(
                run_id=self.run_id,
                document_id=doc.id,
                document_sha256=doc.sha256,
                document_size=doc.size,
                entity_counts=scan.counts_by_type() if scan else {},
                category_counts=scan.counts_by_category() if scan else {},
                top_scores=scan.top_scores() if scan else {},
                route=result.route,
                reasons=decision.rule_ids if decision else [],
                policy_version=self.policy.version,
                outcome="error" if result.outcome == "error" else "ok",
                error_class=result.error_class,
                backend=c.backend if c else "",
                model=c.model if c else "",
                endpoint_host=c.endpoint_host if c else "",
                tokens_in=c.usage.prompt_tokens if c else 0,
                tokens_out=c.usage.completion_tokens if c else 0,
                cost_usd=c.cost_usd if c else 0.0,
                latency_ms=result.latency_ms,
                task_sha256=hashlib.sha256(task.encode()).hexdigest(),
                tool_version=__version__,
            )
        )
