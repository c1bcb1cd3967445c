"""The local model behind one bounded queue: chat, streaming and embeddings, in process.

llama.cpp runs on one worker thread (a ``Llama`` object is not re-entrant);
requests beyond the queue's bound are refused with 503 and ``retry-after``,
never queued without bound.  An unavailable local model is a 503: the
gateway never sends sensitive text to the cloud instead.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, AsyncIterator, Callable

from ..backends.base import Completion, Message
from ..backends.local import load_llama
from ..errors import LocalModelError, ModelNotFoundError, RedactorError
from .errors import LocalUnavailable
from .limits import BoundedQueue

#: How the local model is named in /v1/models and in answers; a request for such a model is answered locally.
LOCAL_PREFIX = "local/"


def _translate(e: Exception, retry_after_s: float) -> LocalUnavailable:
    if isinstance(e, LocalModelError) and "does not fit" in str(e):
        return LocalUnavailable(400, "context_length_exceeded", "the conversation does not fit the local model's context window")
    retry = {"retry-after": str(int(retry_after_s))}
    if isinstance(e, (LocalModelError, ModelNotFoundError)):
        return LocalUnavailable(503, "local_model_unavailable", f"the local model is unavailable ({type(e).__name__})", retry)
    return LocalUnavailable(503, "local_model_unavailable", f"the local model failed ({type(e).__name__})", retry)


def chat_messages(body: dict[str, Any]) -> list[Message]:
    """A chat request as plain role/content messages a small local model can read (tools as text)."""
    out: list[Message] = []
    for m in body.get("messages") or []:
        role = m.get("role", "user")
        text = _content_text(m.get("content"))
        for call in m.get("tool_calls") or []:
            fn = call.get("function") or {}
            text += f"\n[called {fn.get('name', 'a tool')} with {fn.get('arguments', '')}]"
        if role == "tool" or role == "function":
            role, text = "user", f"Tool result: {text}"
        elif role not in ("system", "user", "assistant"):
            role = "system" if role == "developer" else "user"
        out.append({"role": role, "content": text.strip()})
    return _merge_leading_systems(out)


def response_messages(body: dict[str, Any]) -> list[Message]:
    out: list[Message] = []
    if isinstance(body.get("instructions"), str):
        out.append({"role": "system", "content": body["instructions"]})
    value = body.get("input")
    if isinstance(value, str):
        return out + [{"role": "user", "content": value}]
    for item in value or []:
        kind = item.get("type", "message")
        if kind == "message":
            role = item.get("role", "user")
            out.append({"role": "system" if role == "developer" else role, "content": _content_text(item.get("content"))})
        elif kind == "function_call":
            out.append({"role": "assistant", "content": f"[called {item.get('name', 'a tool')} with {item.get('arguments', '')}]"})
        elif kind == "function_call_output":
            out.append({"role": "user", "content": f"Tool result: {item.get('output', '')}"})
    return _merge_leading_systems(out)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text") or p.get("refusal") or "" for p in content if isinstance(p, dict))
    return ""


def _merge_leading_systems(messages: list[Message]) -> list[Message]:
    # chat templates accept one system message, first; later ones become user turns
    system = [m["content"] for m in messages if m["role"] == "system"]
    rest = [m for m in messages if m["role"] != "system"]
    return ([{"role": "system", "content": "\n\n".join(system)}] if system else []) + rest


class LocalRunner:
    def __init__(self, backend: Any, *, bound: int = 8, retry_after_s: float = 5) -> None:
        self.backend = backend
        self.queue = BoundedQueue(bound, retry_after_s)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redactor-local")
        self._embedder: Any = None
        self._embed_lock = threading.Lock()
        self.state = "starting"  # → "ready", or "unavailable" with ``failure`` (readiness, /readyz)
        self.failure = ""

    async def warm(self) -> None:
        """Load the model before the first request needs it; ``state`` says how that went."""
        load = getattr(self.backend, "count_tokens", None)
        try:
            if load is not None:
                await self._run(partial(load, "ready"))
        except LocalUnavailable as e:
            self.state, self.failure = "unavailable", str(e)
        else:
            self.state = "ready"

    @property
    def model_name(self) -> str:
        return LOCAL_PREFIX + str(self.backend.model)

    def admit(self) -> None:
        """Take a place in the queue (raises ``limits.Refused`` when full); ``leave()`` gives it back."""
        self.queue.enter()

    def leave(self) -> None:
        self.queue.leave()

    async def _run(self, fn: Callable[[], Any]) -> Any:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn)
        except (RedactorError, Exception) as e:
            failure = _translate(e, self.queue.retry_after_s)
        raise failure

    async def complete(self, messages: list[Message], max_tokens: int) -> Completion:
        return await self._run(partial(self.backend.complete, messages, max_tokens=max_tokens))

    async def stream(self, messages: list[Message], max_tokens: int) -> AsyncIterator[str]:
        """Text pieces as the model generates them, on the local worker thread."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()
        done = object()

        def work() -> None:
            gen = self.backend.stream(messages, max_tokens=max_tokens)
            try:
                for piece in gen:
                    if stop.is_set():
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, piece)
            except Exception as e:
                loop.call_soon_threadsafe(queue.put_nowait, _translate(e, self.queue.retry_after_s))
            finally:
                gen.close()
                loop.call_soon_threadsafe(queue.put_nowait, done)

        future = loop.run_in_executor(self._executor, work)
        try:
            while True:
                item = await queue.get()
                if item is done:
                    break
                if isinstance(item, LocalUnavailable):
                    raise item
                yield item
        finally:
            stop.set()
            await asyncio.shield(future)

    # -- embeddings -----------------------------------------------------------

    def _embed(self, texts: list[str]) -> dict[str, Any]:
        with self._embed_lock:
            if self._embedder is None:
                import llama_cpp

                path = self.backend.model_path
                try:
                    # mean pooling: one vector per input, as the embeddings API promises (a chat GGUF
                    # declares no pooling and would give one vector per token)
                    self._embedder = load_llama(path, extra_buffers=self.backend.settings.extra_buffers, embedding=True,
                                                n_ctx=self.backend.context_tokens,
                                                n_threads=self.backend.settings.n_threads,
                                                pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN)
                except Exception as e:
                    raise LocalModelError(f"could not load local model {path.name} in embedding mode ({type(e).__name__})") from None
            try:
                return self._embedder.create_embedding(texts)
            except Exception as e:
                failure = LocalModelError(f"local embedding failed ({type(e).__name__})")
        raise failure

    async def embed(self, texts: list[str]) -> dict[str, Any]:
        out = await self._run(partial(self._embed, texts))
        out["model"] = self.model_name
        return out

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


