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

An empty or whitespace-only document has nothing to answer: it is not scanned,
decided or sent anywhere, and its result and audit record say ``skipped``
(``EmptyDocument``), as ``redactor run`` says of an empty file.
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
from .config import DEFAULT_MAX_TOKENS, Settings, load_settings
from .detect.doubt import find_doubts
from .detect.findings import Finding, ScanResult
from .detect.scanner import Scanner
from .errors import CloudError, ConfigError, EmptyDocument, IngestError, Interrupted, RedactorError, UnexpectedError
from .guard import check_payload
from .ingest.document import Document, note_codes
from .policy import Decision, Policy, Route, check_names, decide, load_policy
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
    outcome: str  # ok | blocked | error | skipped (empty text: nothing sent) | interrupted (stopped by Ctrl-C)
    decision: Decision | None
    answer: str | None = None
    completion: Completion | None = None
    error: str = ""  # "ErrorClass: message", also why it was skipped — messages never carry document values
    error_class: str = ""
    scan: ScanResult | None = field(default=None, repr=False)
    latency_ms: float = 0.0  # prepare + dispatch, as recorded in the audit trail

    @property
    def route(self) -> str:
        return self.decision.route.value if self.decision else "none"

    @property
    def reasons(self) -> list[str]:
        """The rule ids behind the route, as the manifest and the audit trail hold them
        (``["category.PII", "cloud-not-configured"]``)."""
        return self.decision.rule_ids if self.decision else []

    @property
    def reason_texts(self) -> list[str]:
        """The same reasons for people: rule, action and the entity counts it covered
        (``"category.PII → local (PERSON×1, US_SSN×1)"``)."""
        return [str(r) for r in self.decision.reasons] if self.decision else []

    def explain(self) -> str:
        """One line: the route and why."""
        return f"{self.route}: {'; '.join(self.reason_texts) or self.error or 'no decision'}"


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
    doubts: tuple[Finding, ...] = ()  # the doubt pass's findings (spans only), counted in the audit record


def decide_with_doubts(scan: ScanResult, policy: Policy) -> tuple[Decision, tuple[Finding, ...]]:
    """The decision for one scanned text and the findings it acts on: the scanner's,
    then, when that first decision would let text leave, the doubt pass's after
    them (``findings[len(scan.findings):]`` are the doubts).  ``redactor scan``
    shows exactly these, so it reports what ``run`` does."""
    findings = scan.findings
    decision = decide(findings, policy)
    if decision.route in (Route.CLOUD, Route.CLOUD_REDACTED):
        # text may leave: what no recognizer explained counts as a doubt
        findings = findings + tuple(find_doubts(scan.text, findings))
        if policy.transform == "hipaa-safe-harbor":  # every element of a date, found or not
            findings = findings + tuple(undetected_dates(scan.text, findings))
        decision = decide(findings, policy)
    return decision, findings


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
    if not doc.text.strip():  # nothing to answer: nothing is scanned, decided or sent
        p.error = EmptyDocument(doc.id, "empty or whitespace-only text")
        return p
    try:
        p.scan = scan if scan is not None else scanner.scan(doc)
        p.decision, findings = decide_with_doubts(p.scan, policy)
        p.doubts = findings[len(p.scan.findings):]
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


def _check_id(doc_id: object) -> str:
    if not isinstance(doc_id, str) or not doc_id:
        raise ConfigError(f"a document id must be a non-empty string, got {type(doc_id).__name__}")
    return doc_id


def _one_id(id: str | None, document_id: str | None) -> str | None:
    if id is not None and document_id is not None and id != document_id:
        raise ConfigError("give the document id once: id= or document_id=, not both")
    doc_id = id if id is not None else document_id
    return None if doc_id is None else _check_id(doc_id)


def _as_document(document: str | Document, doc_id: str | None) -> Document:
    """``document`` as a Document with ``doc_id`` when one is given."""
    if isinstance(document, Document):
        return document if doc_id is None or doc_id == document.id else dataclasses.replace(document, id=doc_id)
    if not isinstance(document, str):
        raise ConfigError(f"a document must be a str or a Document, got {type(document).__name__}")
    return Document.from_text(document, id=doc_id or "<text>")


def _outcome_of(error: RedactorError) -> str:
    if isinstance(error, EmptyDocument):
        return "skipped"
    return "interrupted" if isinstance(error, Interrupted) else "error"


#: ``Result.outcome`` -> the audit record's outcome (a blocked document is recorded ``ok``, route ``blocked``).
AUDIT_OUTCOMES = {"ok": "ok", "blocked": "ok", "error": "error", "skipped": "skipped", "interrupted": "interrupted"}


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
        source: str = "library",
    ) -> None:
        self.settings = settings
        self.source = source  # what its audit records say wrote them (audit.event.SOURCES)
        self._scanner = scanner
        self._scanner_lock = threading.Lock()
        if policy is None:
            policy = load_policy(settings.policy, settings.detect)
        else:
            check_names(policy, settings.detect)
        self.policy = policy
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

    def process(
        self,
        document: str | Document,
        task: str,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        id: str | None = None,
        document_id: str | None = None,
    ) -> Result:
        """Prepare and dispatch one document; the result is also recorded in the audit trail.

        ``id`` (or its alias ``document_id``) is the document id the result and the
        audit record carry, e.g. the ETL row's key: it is stored, so use a key, never
        personal data.  Without one, a ``Document`` keeps its own id and a string is
        ``"<text>"``."""
        doc = _as_document(document, _one_id(id, document_id))
        return self.dispatch(self.prepare(doc, task), max_tokens=max_tokens)

    def process_many(
        self,
        documents: Iterable[str | Document],
        task: str,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        ids: Iterable[str] | None = None,
        workers: int | None = None,
    ) -> Iterator[Result]:
        """Stream results in input order, with bounded memory.

        Ids come from ``ids`` (one per document, in order), else from each
        ``Document``, else ``"<text>#<n>"`` (n counts from 1).  With ``workers``
        > 1 (default: ``Settings.workers``, else 1), detection and the decision run in
        that many processes (``workers.PreparePool``, as ``redactor run`` uses; each
        builds its own Scanner from ``settings.detect``, which takes seconds), a few
        chunks ahead of the model calls, which stay in this thread."""
        docs = self._documents(documents, ids)
        workers = workers if workers is not None else (self.settings.workers or 1)
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        if workers == 1:
            for doc in docs:
                yield self.process(doc, task, max_tokens=max_tokens)
            return
        from .workers import PreparePool, prepare_ordered

        pool = PreparePool(workers, self.settings.detect, self.policy, task, cloud_configured=self.cloud_configured)
        try:
            for prepared in prepare_ordered(pool, docs):
                yield self.dispatch(prepared, max_tokens=max_tokens)
        finally:
            pool.close(cancel=True)

    @staticmethod
    def _documents(documents: Iterable[str | Document], ids: Iterable[str] | None) -> Iterator[Document]:
        if ids is None:
            for n, d in enumerate(documents, 1):
                yield d if isinstance(d, Document) else Document.from_text(d, id=f"<text>#{n}")
            return
        done = object()
        id_iter = iter(ids)
        for n, d in enumerate(documents, 1):
            doc_id = next(id_iter, done)
            if doc_id is done:
                raise ConfigError(f"process_many: ids ran out at document {n}: give one id per document")
            yield _as_document(d, _check_id(doc_id))
        if next(id_iter, done) is not done:
            raise ConfigError("process_many: more ids than documents: give one id per document")

    def prepare(self, document: str | Document, task: str) -> "Prepared":
        return prepare(document, task, self.scanner, self.policy, cloud_configured=self.cloud is not None)

    def dispatch(self, prepared: "Prepared", *, max_tokens: int = DEFAULT_MAX_TOKENS) -> Result:
        """Send a prepared document where its decision says, restore the answer, record the outcome."""
        result = self.answer(prepared, max_tokens=max_tokens)
        self.record(prepared, result)
        return result

    def answer(self, prepared: "Prepared", *, max_tokens: int = DEFAULT_MAX_TOKENS) -> Result:
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
                completion = complete_long(self.local, system=SYSTEM_PROMPT, task=p.task, document=p.doc.text, max_tokens=max_tokens,
                                           max_input_tokens=self.settings.local.max_input_tokens)
            if decision.route is Route.BLOCKED or completion is None:
                result = Result(p.doc.id, "blocked", decision, scan=p.scan)
            else:
                answer = restore(completion.text, mapping) if mapping is not None else completion.text
                result = Result(p.doc.id, "ok", decision, answer, completion, scan=p.scan)
        except Exception as e:  # one document fails alone, with its error class recorded
            e = e if isinstance(e, RedactorError) else _unexpected(e)
            result = Result(p.doc.id, _outcome_of(e), decision, error=f"{type(e).__name__}: {e}",
                            error_class=type(e).__name__, scan=p.scan)
        latency_ms = round(p.prepare_ms + (time.perf_counter() - start) * 1000, 1)
        return dataclasses.replace(result, latency_ms=latency_ms)

    # -- audit ----------------------------------------------------------------

    def record_input_failure(self, error: IngestError, *, outcome: str = "error") -> int | None:
        """A file that could not be read still leaves an audit record (outcome error, or
        ``skipped`` for an empty or binary file).  Returns the record's seq when the sink gives one."""
        if self.audit is None:
            return None
        return self.audit.record(
            AuditEvent(
                run_id=self.run_id, document_id=error.path, document_sha256="", document_size=0,
                entity_counts={}, category_counts={}, top_scores={}, route="none",
                reasons=["ingest"], policy_version=self.policy.version, outcome=outcome,
                error_class=type(error).__name__, tool_version=__version__, policy_name=self.policy.name,
                source=self.source,
            )
        )

    def record(self, prepared: "Prepared", result: Result) -> int | None:
        """Append the audit record of ``result``; returns its seq when the sink gives one."""
        if self.audit is None:
            return None
        doc, task = prepared.doc, prepared.task
        scan, decision, c = result.scan, result.decision, result.completion
        if scan is not None and prepared.doubts:  # what the doubt pass flagged counts too (as UNVERIFIED)
            scan = dataclasses.replace(scan, findings=scan.findings + prepared.doubts)
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
                reasons=decision.rule_ids if decision else (["ingest"] if result.outcome == "skipped" else []),
                policy_version=self.policy.version,
                outcome=AUDIT_OUTCOMES[result.outcome],
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
                policy_name=self.policy.name,
                transform=getattr(self.policy, "transform", "pseudonymize") if result.route == "cloud_redacted" else "",
                reason_actions=[r.action for r in decision.reasons] if decision else [],
                extra={"ingest": note_codes(doc.notes)} if doc.notes else {},
                source=self.source,
            )
        )
