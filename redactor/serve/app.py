"""The gateway's Starlette application: endpoints, authentication, headers and failure mapping.

Every POST endpoint runs the same steps, in ``Gateway._serve``: origin check →
gateway key → per-key limits → body → the endpoint (scan and route as one
conversation, dispatch, restore) → one audit record → metrics.  Failures map to
OpenAI-shaped errors (``{"error": {"message", "type", "code"}}``); every
message names a field, a rule or an error class, never a value.

Fail closed: a detector error or time-out is a 503 and nothing is forwarded;
an unavailable local model is a 503 (never the cloud instead); an audit record
that cannot be written fails the request (a streamed answer ends with an error
event instead of ``[DONE]``).  Routes only ever change towards local: with
``cloud.fallback_to_local``, a request the policy let go to the cloud whose
upstream is down (``OUTAGE_CODES``, before the first byte of its answer) is
answered by the local model instead (``cloud-failed.<code>``); never the reverse.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, AsyncIterator, Awaitable, Callable

from pydantic import BaseModel, ConfigDict, Field
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route as HttpRoute

from .. import __version__
from ..audit.event import AuditSink
from ..config import Settings
from ..detect.scanner import Scanner
from ..policy import Route, detect_for, load_policy
from ..prepare import fallback
from ..transform import Mapping
from . import answers, streaming
from .access import Access
from .endpoints import Endpoints
from .conversation import Routed, route_conversation
from .errors import GatewayError, LocalUnavailable, Refused, UpstreamError
from .fields import show_path, unknown_fields
from .keys import KeyStore, check_binding
from .limits import KeyLimits, RecordBudget
from .local import LocalRunner
from .metrics import Metrics
from .requests import NO_KEY_ID, Ctx, error_body, outcome_of, request_event, refusals_event, request_id
from .restore_stream import error_event, sse
from .scancache import ScanCaches
from .upstream import Upstream

#: Upstream failures that mean the cloud is down.  With ``cloud.fallback_to_local`` a request the
#: policy let go to the cloud is then answered locally.  A 429 is not one: the upstream asks the
#: client to slow down, and the client has its ``retry-after`` (docs/gateway.md says why).
OUTAGE_CODES = frozenset({"upstream_error", "upstream_unreachable", "upstream_timeout", "upstream_protocol_error"})


class GatewayOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8088, ge=0, le=65535)
    policy: str | None = None  # a shipped policy name or file; default: settings.policy
    scan_timeout_s: float = Field(30.0, gt=0)
    local_queue: int = Field(8, ge=1)
    local_retry_after_s: float = Field(5.0, gt=0)
    local_max_tokens: int = Field(512, ge=1)
    allow_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)
    scan_cache_size: int = Field(4096, ge=0)
    # refusals of one kind (endpoint, code, key) recorded one by one per minute; the rest summarised; 0: all
    refusal_records_per_minute: int = Field(60, ge=0)


class Gateway(Endpoints):
    """The gateway's state (policy, scanner cache, upstream, local model, keys, limits, metrics)
    and its ASGI ``app``.  Build one per process."""

    def __init__(
        self,
        settings: Settings,
        options: GatewayOptions | None = None,
        *,
        scanner: Scanner | None = None,
        local: Any = None,
        audit: AuditSink | None = None,
        keys: KeyStore | None = None,
    ) -> None:
        from ..backends import local_backend

        self.settings = settings
        self.options = options or GatewayOptions()
        self.policy = load_policy(self.options.policy or settings.policy)
        self.scanner = scanner or Scanner(detect_for(self.policy, settings.detect))
        self.caches = ScanCaches(self.scanner, settings.detect, self.policy, self.options.scan_cache_size)
        self.upstream = Upstream(settings.cloud) if settings.cloud.configured else None
        self.local = LocalRunner(local or local_backend(settings.local), bound=self.options.local_queue,
                                 retry_after_s=self.options.local_retry_after_s)
        self.audit = audit
        self.keys = keys or KeyStore()
        self.limits = KeyLimits()
        self.refusals = RecordBudget(self.options.refusal_records_per_minute)
        self.metrics = Metrics()
        self.metrics.queue_depth = lambda: self.local.queue.depth
        self.metrics.scan_cache = lambda: self.caches.counts
        self.run_id = "gateway-" + uuid.uuid4().hex[:12]
        self._scan_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="redactor-scan")
        self._audit_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="redactor-audit")
        self.access = Access(self.keys, self.options.host, self.options.allow_origins, self.policy)
        self.app = self._build_app()

    def check_startup(self) -> None:
        check_binding(self.options.host, self.keys)

    # ------------------------------------------------------------------ the app

    def _build_app(self) -> Starlette:
        def post(path: str, endpoint: str, fn: Callable[..., Awaitable[Response]]) -> HttpRoute:
            async def handler(request: Request) -> Response:
                return await self._serve(request, endpoint, fn)
            return HttpRoute(path, handler, methods=["POST", "OPTIONS"])

        routes = [
            HttpRoute("/healthz", self._healthz, methods=["GET"]),
            HttpRoute("/readyz", self._readyz, methods=["GET"]),
            HttpRoute("/metrics", self._metrics, methods=["GET"]),
            HttpRoute("/v1/models", self._models, methods=["GET", "OPTIONS"]),
            post("/v1/chat/completions", "chat.completions", self._chat),
            post("/v1/completions", "completions", self._completions),
            post("/v1/embeddings", "embeddings", self._embeddings),
            post("/v1/responses", "responses", self._responses),
        ]

        async def not_found(request: Request, exc: HTTPException) -> Response:
            # unknown paths are never passed through: they were not scanned.  The record names
            # no path (it may hold anything): endpoint "unknown".
            ctx = Ctx(id=request_id(), endpoint="unknown", start=time.perf_counter())
            if exc.status_code == 404:
                return await self._fail(ctx, request, 404, "not_found", "unknown path: the gateway serves only the "
                                  "endpoints it scans", {})
            return await self._fail(ctx, request, exc.status_code, "method_not_allowed", "method not allowed", {})

        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            warming = asyncio.create_task(self.local.warm())
            asyncio.get_running_loop().run_in_executor(self._scan_pool, self._warm_scanners)
            yield
            warming.cancel()
            await self._shutdown()

        return Starlette(routes=routes, exception_handlers={HTTPException: not_found}, lifespan=lifespan)

    def _warm_scanners(self) -> None:
        """Build at start the scanner of each key's policy that asks for more detection."""
        try:
            self.caches.warm(self.access.policy_for(key) for key in self.keys.active())
        except Exception:  # noqa: BLE001 - the first request of that policy builds it, or fails closed saying why
            pass

    async def _shutdown(self) -> None:
        try:
            self._record_refusal_counts(self.refusals.drain())
        except Exception:
            pass  # stopping anyway; the failed write is the audit store's own alarm
        self.local.close()
        self._scan_pool.shutdown(wait=False, cancel_futures=True)
        self._audit_pool.shutdown(wait=True)
        if self.upstream is not None:
            await self.upstream.close()

    # ------------------------------------------------------------------ simple endpoints

    async def _healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "policy": self.policy.name,
                             "policy_version": self.policy.version, "upstream": self.upstream.host if self.upstream else None,
                             "local_model": self.local.model_name})

    async def _readyz(self, request: Request) -> Response:
        """Ready means every route can be answered: the local model is loaded (``/healthz`` is liveness)."""
        state = self.local.state
        body = {"status": state, "local_model": self.local.model_name}
        if state != "ready":
            body["reason"] = self.local.failure or "the local model is loading"
        return JSONResponse(body, 200 if state == "ready" else 503)

    async def _metrics(self, request: Request) -> Response:
        return PlainTextResponse(self.metrics.render(), media_type="text/plain; version=0.0.4")

    async def _models(self, request: Request) -> Response:
        ctx = Ctx(id=request_id(), endpoint="models", start=time.perf_counter())
        try:
            self.access.check_origin(request)
            if request.method == "OPTIONS":
                return self.access.preflight(request)
            self.access.authenticate(request, ctx)
        except GatewayError as e:
            return await self._fail(ctx, request, e.status, e.code, e.message, e.headers, error_class=e.error_class)
        data: list[dict[str, Any]] = []
        if self.upstream is not None:
            try:
                async with self.upstream.open("models") as resp:
                    listed = await resp.json()
                data = [m for m in listed.get("data") or [] if isinstance(m, dict)]
            except UpstreamError:
                data = []  # the local model is still there
        data.append({"id": self.local.model_name, "object": "model", "created": 0, "owned_by": "redactor-local"})
        return self.access.cors(request, JSONResponse({"object": "list", "data": data}))

    # ------------------------------------------------------------------ the request wrapper

    async def _serve(self, request: Request, endpoint: str, fn: Callable[..., Awaitable[Response]]) -> Response:
        ctx = Ctx(id=request_id(), endpoint=endpoint, start=time.perf_counter())
        try:
            self.access.check_origin(request)
            if request.method == "OPTIONS":
                return self.access.preflight(request)
            ctx.key = self.access.authenticate(request, ctx)
            key_id = ctx.key.id if ctx.key else NO_KEY_ID
            rpm, conc = (ctx.key.rpm, ctx.key.concurrency) if ctx.key else (0, 0)
            self.limits.acquire(key_id, rpm, conc)
            ctx.cleanup.append(partial(self.limits.release, key_id))
            ctx.policy = self.access.policy_for(ctx.key)
            body = await self._body(request)
            self._check_fields(endpoint, body)
            response = await fn(ctx, body)
        except GatewayError as e:  # the one tree of the gateway's errors (serve/errors.py)
            return await self._fail(ctx, request, e.status, e.code, e.message, e.headers, error_class=e.error_class)
        except Exception as e:  # a bug: fail closed, keep only the class
            return await self._fail(ctx, request, 500, "internal_error", f"internal error ({type(e).__name__})", {},
                              error_class=type(e).__name__)
        if isinstance(response, StreamingResponse):
            return self.access.cors(request, response)  # the stream finishes the request itself
        try:
            await self._finish(ctx, "ok", response.status_code)
        except Exception as e:
            return await self._fail(ctx, request, *_audit_failed(e, "the answer is withheld"),
                                    error_class=type(e).__name__)
        self._headers(ctx, response)
        return self.access.cors(request, response)

    async def _fail(self, ctx: Ctx, request: Request, status: int, code: str, message: str, headers: dict[str, str],
                    error_class: str = "") -> Response:
        """One record per request, refusals before authentication included (``_finish``)."""
        if ctx.key is None and not ctx.done:
            ctx.key = self.access.identify(request)  # "key id when known": a revoked key, or a valid one refused earlier
        if not ctx.done:
            try:
                await self._finish(ctx, outcome_of(code), status, error_class or code)
            except Exception as e:
                status, code, message, headers = _audit_failed(e)
        return self._error_response(ctx, status, code, message, headers, request)

    def _error_response(self, ctx: Ctx | None, status: int, code: str, message: str, headers: dict[str, str],
                        request: Request) -> Response:
        response = JSONResponse(error_body(code, message, status), status)
        for k, v in headers.items():
            response.headers[k] = v
        if ctx is not None:
            self._headers(ctx, response)
        return self.access.cors(request, response)

    def _release(self, ctx: Ctx) -> None:
        while ctx.cleanup:
            ctx.cleanup.pop()()

    async def _finish(self, ctx: Ctx, outcome: str, status: int, error_class: str = "") -> int | None:
        """Release the request's places, record it (once) and count it.  Raises when the audit write fails.
        The write runs off the event loop: a trail that is slow or retrying (a database restarting)
        holds this request only, never the others."""
        if ctx.done:
            return None
        ctx.done = True
        self._release(ctx)
        route = ctx.routed.route.value if ctx.routed else "none"
        self.metrics.observe(ctx.endpoint, route, outcome, time.perf_counter() - ctx.start)
        if self.audit is None:
            return None
        key_id = ctx.key.id if ctx.key else NO_KEY_ID
        due = self.refusals.due()
        if due:
            await asyncio.get_running_loop().run_in_executor(self._audit_pool, self._record_refusal_counts, due)
        if outcome == "refused" and not self.refusals.admit(ctx.endpoint, error_class, key_id):
            return None  # counted in its window's summary record
        event = request_event(ctx, self.run_id, ctx.policy or self.policy, outcome, status, error_class, key_id)
        return await asyncio.get_running_loop().run_in_executor(self._audit_pool, self.audit.record, event)

    def _record_refusal_counts(self, counts: list[tuple[str, str, str, int]]) -> None:
        """One summary record per refusal window whose refusals were not recorded one by one."""
        if self.audit is None:
            return
        for endpoint, error_class, key_id, n in counts:
            self.audit.record(refusals_event(self.run_id, self.policy, endpoint, error_class, key_id, n))

    def _headers(self, ctx: Ctx, response: Response) -> None:
        policy = ctx.policy or self.policy
        h = response.headers
        for k, v in ctx.upstream_headers.items():
            h[k] = v
        h["x-request-id"] = ctx.id
        h["x-redactor-decision"] = ctx.id
        h["x-redactor-policy"] = policy.version
        h["x-redactor-policy-name"] = policy.name
        h["x-redactor-route"] = ctx.routed.route.value if ctx.routed else "none"
        counts = ctx.routed.entity_counts if ctx.routed else {}
        h["x-redactor-entities"] = ",".join(f"{k}={v}" for k, v in counts.items())

    # ------------------------------------------------------------------ checks

    async def _body(self, request: Request) -> dict[str, Any]:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.options.max_body_bytes:
            raise GatewayError(413, "body_too_large", f"request body over {self.options.max_body_bytes} bytes")
        raw = await request.body()
        if len(raw) > self.options.max_body_bytes:
            raise GatewayError(413, "body_too_large", f"request body over {self.options.max_body_bytes} bytes")
        try:
            body = json.loads(raw)
        except ValueError:
            raise GatewayError(400, "invalid_json", "the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise GatewayError(400, "invalid_json", "the request body must be a JSON object")
        return body

    def _check_fields(self, endpoint: str, body: dict[str, Any]) -> None:
        if self.settings.gateway.unknown_fields != "refuse":
            return  # they are scanned with the conversation (fields.py)
        unknown = unknown_fields(endpoint, body)
        if unknown:
            names = ", ".join(show_path(p) for p in unknown[:10]) + (", …" if len(unknown) > 10 else "")
            raise GatewayError(400, "unknown_field", f"fields the gateway does not know are refused "
                               f"(gateway.unknown_fields = \"refuse\"): {names}")

    async def _route(self, ctx: Ctx, slots: list, *, force_local: str = "") -> Routed:
        loop = asyncio.get_running_loop()
        policy = ctx.policy or self.policy

        def job() -> Routed:  # in the scan pool: the first request of a policy may build its scanner
            return route_conversation(slots, policy, self.caches.for_policy(policy),
                                      cloud_configured=self.upstream is not None, force_local=force_local)

        try:
            routed = await asyncio.wait_for(loop.run_in_executor(self._scan_pool, job), self.options.scan_timeout_s)
        except asyncio.TimeoutError:
            raise GatewayError(503, "detector_timeout", "the detector did not finish in time; nothing was forwarded",
                               {"retry-after": "5"}) from None
        except GatewayError:
            raise
        except Exception as e:
            raise GatewayError(503, "detector_error", f"the detector failed ({type(e).__name__}); nothing was forwarded",
                               {"retry-after": "5"}) from None
        ctx.routed = routed
        if routed.route is Route.BLOCKED:
            raise GatewayError(403, "blocked_by_policy", f"blocked by policy rule {routed.decision.reasons[0].rule}")
        return routed

    # ------------------------------------------------------------------ dispatch: cloud

    async def _cloud_or_local(self, ctx: Ctx, cloud: Awaitable[Response],
                              local: Callable[[], Awaitable[Response]]) -> Response:
        """The upstream's answer; when the upstream is down before the first byte of it and
        ``cloud.fallback_to_local`` is on, the local model's instead (towards local only:
        the policy let this request go to the cloud, so the local model may see it too).

        Embeddings never come here: vectors of another model are not interchangeable."""
        try:
            return await cloud
        except UpstreamError as e:
            if not (self.settings.cloud.fallback_to_local and e.code in OUTAGE_CODES):
                raise
            failure = e
        assert ctx.routed is not None and ctx.routed.route in (Route.CLOUD, Route.CLOUD_REDACTED)
        ctx.routed.decision = fallback(ctx.routed.decision, failure.code)
        ctx.routed.mapping, ctx.routed.outgoing = None, None
        ctx.upstream_headers = {}
        try:
            return await local()
        except (LocalUnavailable, Refused) as e:
            # the local model cannot answer either: the client sees the upstream's failure (its
            # request was fine), and the record shows both (reason cloud-failed.*, route local)
            raise UpstreamError(failure.status, failure.code, f"{failure.message}; the local fallback could not "
                                f"answer either ({e.code})", failure.headers) from None

    async def _cloud(self, ctx: Ctx, endpoint: str, out: dict[str, Any], mapping: Mapping | None,
                     restore: Callable[[dict[str, Any], Mapping | None], None], *, responses: bool = False) -> Response:
        assert self.upstream is not None
        ctx.backend, ctx.host = "cloud", self.upstream.host
        ctx.model = str(out.get("model", ""))
        if ctx.stream:
            return await self._cloud_stream(ctx, endpoint, out, mapping)
        async with self.upstream.open(endpoint, out) as resp:
            ctx.upstream_headers = resp.headers
            data = await resp.json()
        restore(data, mapping)
        ctx.usage(data.get("usage"), responses=responses)
        ctx.model = str(data.get("model") or ctx.model)
        return JSONResponse(data)

    async def _cloud_stream(self, ctx: Ctx, endpoint: str, out: dict[str, Any], mapping: Mapping | None) -> Response:
        assert self.upstream is not None
        opened = self.upstream.open(endpoint, out)
        resp = await opened.__aenter__()  # an upstream refusal is an HTTP error, before any byte is streamed
        ctx.upstream_headers = resp.headers
        return self._stream(ctx, streaming.cloud_events(ctx, endpoint, resp, mapping),
                            partial(opened.__aexit__, None, None, None), done_marker=endpoint != "responses")

    # ------------------------------------------------------------------ dispatch: local

    def _admit_local(self, ctx: Ctx) -> None:
        """A place in the local model's queue for this request (503 when full), given back when it ends."""
        self.local.admit()
        ctx.cleanup.append(self.local.leave)

    def _local_meta(self, ctx: Ctx, completions: list) -> None:
        ctx.backend, ctx.host, ctx.model = "local", "in-process", self.local.model_name
        ctx.tokens_in = completions[0].usage.prompt_tokens if completions else 0
        ctx.tokens_out = sum(c.usage.completion_tokens for c in completions)

    async def _local(self, ctx: Ctx, kind: str, messages: list, max_tokens: int, n: int) -> Response:
        self._admit_local(ctx)
        ctx.backend, ctx.host, ctx.model = "local", "in-process", self.local.model_name
        if not ctx.stream:
            completions = [await self.local.complete(messages, max_tokens) for _ in range(n)]
            self._local_meta(ctx, completions)
            build = answers.local_chat if kind == "chat" else answers.local_completion
            return JSONResponse(build(ctx.id, self.local.model_name, completions))

        # the first piece before any header: a model that cannot load or a conversation that
        # does not fit is an HTTP error (503 / 400), not a 200 with an error event
        first = self.local.stream(messages, max_tokens)
        try:
            head = [await first.__anext__()]
        except StopAsyncIteration:
            head = []
        except BaseException:
            await first.aclose()
            raise
        if kind == "responses":
            produce = streaming.local_response_events(ctx, self.local.model_name, head, first)
        else:
            streams = [first] + [self.local.stream(messages, max_tokens) for _ in range(n - 1)]
            produce = streaming.local_chunks(ctx, kind, streams, head)
        return self._stream(ctx, produce, first.aclose, done_marker=kind != "responses")

    # ------------------------------------------------------------------ streaming plumbing

    def _stream(self, ctx: Ctx, produce: AsyncIterator[bytes], release: Callable[[], Awaitable[Any]], *,
                done_marker: bool) -> Response:
        """A streamed answer: ``produce``'s events, then the audit record and ``[DONE]``, or an
        error event when it raises; ``release`` (the upstream connection, the local stream) and
        the request's record happen once, however the stream ends."""
        closed = [False]

        async def close() -> None:
            if not closed[0]:
                closed[0] = True
                await release()
                await self._abandon(ctx)

        async def events() -> AsyncIterator[bytes]:
            failure: tuple[int, str, str] | None = None
            try:
                try:
                    async for part in produce:
                        yield part
                except GatewayError as e:
                    failure = (e.status, e.code, e.message)
                async for part in self._end_stream(ctx, failure, done_marker=done_marker):
                    yield part
            finally:
                await close()

        response = streaming.ClosingStream(events(), close)
        self._headers(ctx, response)
        return response

    async def _end_stream(self, ctx: Ctx, failure: tuple[int, str, str] | None,
                          done_marker: bool = True) -> AsyncIterator[bytes]:
        """The audit record, then ``[DONE]``; or an error event when anything failed."""
        if failure is not None:
            try:  # recorded before the client hears of it
                await self._finish(ctx, "error", failure[0], failure[1])
            except Exception:
                pass  # the client gets an error anyway; the failed write is the audit store's own alarm
            yield error_event(failure[2], failure[1])
            return
        try:
            await self._finish(ctx, "ok", 200)
        except Exception as e:
            yield error_event(f"the audit record could not be written ({type(e).__name__}); the answer is incomplete",
                              "audit_failed")
            return
        if done_marker:
            yield sse("[DONE]")

    async def _abandon(self, ctx: Ctx) -> None:
        """A stream closed before its end (the client went away): still one record."""
        if not ctx.done:
            try:
                await self._finish(ctx, "error", 499, "ClientDisconnected")
            except Exception:
                pass


def _audit_failed(e: Exception, withheld: str = "") -> tuple[int, str, str, dict[str, str]]:
    """No request is answered without its record: a trail that cannot be written is a 503."""
    message = f"the audit record could not be written ({type(e).__name__})" + (f"; {withheld}" if withheld else "")
    return 503, "audit_failed", message, {"retry-after": "5"}
