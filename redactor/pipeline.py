"""The library's face of the flow for documents: prepare → dispatch → restore → audit.

``prepare.py`` is the stage every face shares (detect → decide → transform → guard) and
the only place a route changes; ``Pipeline`` dispatches what it prepared (cloud or local
model), restores the answer and writes one audit record per document.  Batch runs
(``batch.py``), pandas and Spark use a ``Pipeline``; the gateway uses the same prepare
stage for a conversation (``serve/conversation.py``).

Routes only ever change towards local.  If the local model is missing or fails,
the document fails: it is never sent to the cloud instead.

An empty or whitespace-only document has nothing to answer: ``prepare`` does not
scan, decide or send it, and its result and audit record say ``skipped``
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
from typing import Iterable, Iterator

from . import __version__
from .audit.event import AuditEvent, AuditSink
from .backends import Backend, CloudBackend, Completion, complete_long, local_backend
from .backends.longdoc import SYSTEM_PROMPT
from .config import DEFAULT_MAX_TOKENS, Settings, load_settings
from .detect.findings import ScanResult
from .detect.scanner import Scanner
from .errors import CloudError, ConfigError, EmptyDocument, IngestError, Interrupted, RedactorError
from .ingest.document import Document, note_codes
from .policy import Decision, Policy, Route, check_names, detect_for, load_policy
from .prepare import Prepared, fallback, prepare, unexpected
from .transform import restore
from .transforms import transform_of


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
                    self._scanner = Scanner(detect_for(self.policy, self.settings.detect))
        return self._scanner

    @scanner.setter
    def scanner(self, scanner: Scanner) -> None:
        self._scanner = scanner

    @classmethod
    def from_config(cls, config_file: str | Path | None = None, *, audit: bool = True, **overrides) -> "Pipeline":
        settings = load_settings(config_file, **overrides)
        sink = None
        if audit and settings.audit.enabled:
            from .audit.stores import configured_trail

            sink = configured_trail(settings)
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
                    decision = fallback(decision, type(e).__name__)
            if decision.route is Route.LOCAL:
                completion = complete_long(self.local, system=SYSTEM_PROMPT, task=p.task, document=p.doc.text, max_tokens=max_tokens,
                                           max_input_tokens=self.settings.local.max_input_tokens)
            if decision.route is Route.BLOCKED or completion is None:
                result = Result(p.doc.id, "blocked", decision, scan=p.scan)
            else:
                answer = restore(completion.text, mapping) if mapping is not None else completion.text
                result = Result(p.doc.id, "ok", decision, answer, completion, scan=p.scan)
        except Exception as e:  # one document fails alone, with its error class recorded
            e = e if isinstance(e, RedactorError) else unexpected(e)
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
                transform=transform_of(self.policy).name if result.route == "cloud_redacted" else "",
                reason_actions=[r.action for r in decision.reasons] if decision else [],
                extra={"ingest": note_codes(doc.notes)} if doc.notes else {},
                source=self.source,
            )
        )
