"""The local model: llama.cpp in this process, so sensitive text never leaves the machine.

The model is loaded lazily, once, and every call is serialised by a lock:
a ``llama_cpp.Llama`` object is not re-entrant.  GGUFs without a chat
template get a plain-text prompt and ``create_completion`` with stop
sequences.  A prompt that does not fit the context window is an error here,
never a silent truncation; ``complete_long()`` answers long documents
map-reduce (see ``longdoc.py``).

Every ``Llama`` redactor creates goes through ``load_llama()``, which turns
off llama.cpp's extra weight buffers (repacked and AMX layouts) unless
``local.extra_buffers`` asks for them: on this project's reference machine
(an AMX-capable CPU in a VM) the AMX matrix multiply dies with a general
protection fault on the first decode, for Q4_1 and Q8_0 alike, taking the
whole process down.  A slower path beats a crash that no ``except`` can catch.
It also silences llama.cpp's own log (see ``_drop_llama_log``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from ..config import LocalSettings
from ..errors import LocalModelError, ModelNotFoundError
from .base import Completion, Message, Usage
from .models import resolve_model

#: Role labels of the plain-text template, and where a plain-completion answer ends.
PLAIN_LABELS = {"system": "System", "user": "User", "assistant": "Assistant"}
PLAIN_STOP = ["\nUser:", "\nSystem:", "\nAssistant:"]
_LOAD_LOCK = threading.Lock()


@contextlib.contextmanager
def quiet_llama() -> Any:
    """Silence what llama.cpp prints on stderr itself (the quantizer, vocabulary-only loads)."""
    try:
        from llama_cpp._utils import suppress_stdout_stderr
    except ImportError:  # pragma: no cover - another llama-cpp-python layout
        yield
        return
    with suppress_stdout_stderr(disable=False):
        yield


def load_llama(path: Path | str, *, extra_buffers: bool = False, **kwargs: Any) -> Any:
    """``llama_cpp.Llama(model_path=path, verbose=False, **kwargs)``, with llama.cpp's extra
    weight buffer types on or off.  llama-cpp-python reads its model parameters from
    ``llama_model_default_params()`` inside the constructor and has no argument for this
    one, so the defaults are swapped for the duration of the load (under a lock)."""
    import llama_cpp
    import llama_cpp.llama as llama_module

    low = llama_module.llama_cpp
    with _LOAD_LOCK:
        _drop_llama_log()
        original = low.llama_model_default_params

        def params() -> Any:
            p = original()
            if hasattr(p, "use_extra_bufts"):
                p.use_extra_bufts = extra_buffers
            return p

        low.llama_model_default_params = params
        try:
            return llama_cpp.Llama(model_path=str(path), verbose=False, **kwargs)
        finally:
            low.llama_model_default_params = original


_LOG_CALLBACK: Any = None  # llama.cpp holds a pointer to it: it lives as long as the process


def _drop_llama_log() -> None:
    """Replace, once per process, the log callback llama-cpp-python gives llama.cpp by one that
    drops every line.  Its level table predates ggml's current one, so llama.cpp's warnings are
    printed on stderr even with ``verbose=False`` (e.g. "llama_init_from_model: model default
    pooling_type is [-1], but [1] was specified" when the gateway loads its embedding model).
    Failures reach redactor as exceptions anyway, and a log line may quote a prompt."""
    global _LOG_CALLBACK
    if _LOG_CALLBACK is None:
        import ctypes

        import llama_cpp

        _LOG_CALLBACK = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
        llama_cpp.llama_log_set(_LOG_CALLBACK, ctypes.c_void_p(0))


#: Small models loop ("The transaction is a trade. The transaction is a trade...") without it.
REPEAT_PENALTY = 1.3


def format_plain_prompt(messages: list[Message]) -> str:
    """Messages as a plain transcript ending in ``Assistant:``, for GGUFs without a chat template."""
    lines = [f"{PLAIN_LABELS.get(m['role'], m['role'].title())}: {m['content'].strip()}" for m in messages]
    return "\n\n".join(lines + ["Assistant:"])


class LocalBackend:
    """``complete()`` with a GGUF model run by llama-cpp-python, in process.

    ``settings.model`` is a manifest name or a path to a ``.gguf``;
    ``model_path`` overrides it (already resolved).
    """

    name = "local"
    endpoint_host = "in-process"

    def __init__(self, settings: LocalSettings, *, model_path: Path | None = None) -> None:
        self.settings = settings
        # A file name, not a full path, for the audit trail: paths can name users.
        model = settings.model if model_path is None else str(model_path)
        self.model = Path(model).name if model.endswith(".gguf") else model
        self.context_tokens = settings.n_ctx
        self._model_path = model_path
        self._lock = threading.RLock()
        self._llm: Any = None
        self._chat_template = False
        self._chat_formatter: Any = None
        self.calls = 0  # model calls so far (tests and the run summary read it)

    # -- loading -----------------------------------------------------------

    @property
    def model_path(self) -> Path:
        if self._model_path is None:
            self._model_path = resolve_model(self.settings.model)
        return self._model_path

    @property
    def has_chat_template(self) -> bool:
        self._load()
        return self._chat_template

    def _load(self) -> Any:
        with self._lock:
            if self._llm is not None:
                return self._llm
            path = self.model_path
            try:
                import llama_cpp
            except ImportError:
                raise ModelNotFoundError(
                    "llama-cpp-python is not installed: pip install llama-cpp-python"
                ) from None
            threads = self.settings.n_threads
            try:
                # n_threads_batch too: a worker given one thread must not take every core for prompts
                llm = load_llama(path, extra_buffers=self.settings.extra_buffers, n_ctx=self.settings.n_ctx,
                                 n_threads=threads, n_threads_batch=threads)
            except Exception as e:  # llama.cpp raises ValueError/RuntimeError with C-level text
                raise LocalModelError(f"could not load local model {path.name} ({type(e).__name__})") from None
            self._chat_template = bool((llm.metadata or {}).get("tokenizer.chat_template"))
            self._llm = llm
            return llm

    # -- the Backend interface ---------------------------------------------

    def count_tokens(self, text: str) -> int:
        llm = self._load()
        with self._lock:
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        llm = self._load()
        with self._lock:
            self._check_fits(llm, messages, max_tokens)
            start = time.monotonic()
            self.calls += 1
            try:
                text, usage = self._generate(llm, messages, max_tokens)
            except Exception as e:
                failure = LocalModelError(f"local model call failed ({type(e).__name__})")
            else:
                return Completion(
                    text=text.strip(),
                    usage=usage,
                    model=self.model,
                    latency_ms=(time.monotonic() - start) * 1000,
                    backend=self.name,
                    endpoint_host=self.endpoint_host,
                )
        # Outside the except block: llama errors can quote the prompt; keep it off __context__.
        raise failure

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        """``complete()`` as text pieces, as they are generated (the gateway streams the local route).

        Holds the model's lock until the generator is exhausted or closed: iterate
        it in one thread, to the end or to ``close()``."""
        llm = self._load()
        with self._lock:
            self._check_fits(llm, messages, max_tokens)
            self.calls += 1
            temperature = self.settings.temperature
            failure = None
            try:
                if self._chat_template:
                    parts = llm.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=temperature,
                                                       repeat_penalty=REPEAT_PENALTY, stream=True)
                    for part in parts:
                        text = part["choices"][0].get("delta", {}).get("content")
                        if text:
                            yield text
                else:
                    parts = llm.create_completion(format_plain_prompt(messages), max_tokens=max_tokens,
                                                  temperature=temperature, stop=PLAIN_STOP,
                                                  repeat_penalty=REPEAT_PENALTY, stream=True)
                    for part in parts:
                        text = part["choices"][0].get("text")
                        if text:
                            yield text
            except GeneratorExit:
                raise
            except Exception as e:
                failure = LocalModelError(f"local model call failed ({type(e).__name__})")
        if failure is not None:  # outside the except block: llama errors can quote the prompt
            raise failure

    def complete_long(self, *, system: str, task: str, document: str, max_tokens: int) -> Completion:
        """Answer ``task`` over a document of any length (map-reduce when it does not fit)."""
        from .longdoc import complete_long

        return complete_long(self, system=system, task=task, document=document, max_tokens=max_tokens)

    # -- internals ---------------------------------------------------------

    def _check_fits(self, llm: Any, messages: list[Message], max_tokens: int) -> None:
        prompt_tokens = self._prompt_tokens(llm, messages)
        if prompt_tokens + max_tokens > self.context_tokens:
            raise LocalModelError(
                f"prompt of {prompt_tokens} tokens plus {max_tokens} to generate does not fit the "
                f"{self.context_tokens}-token context window; use complete_long() for long documents"
            )

    def _prompt_tokens(self, llm: Any, messages: list[Message]) -> int:
        if not self._chat_template:
            return len(llm.tokenize(format_plain_prompt(messages).encode("utf-8"), add_bos=True, special=False))
        try:  # render the model's own template: exact, including any default system prompt it injects
            prompt = self._formatter(llm)(messages=messages).prompt
            return len(llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))
        except Exception:  # an exotic template: count the text and leave generous room
            body = sum(len(llm.tokenize(m["content"].encode("utf-8"), add_bos=False)) for m in messages)
            return body + 16 * len(messages) + 64

    def _formatter(self, llm: Any) -> Any:
        if self._chat_formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            def text(token: int) -> str:
                return llm.detokenize([token], special=True).decode("utf-8", "replace") if token != -1 else ""

            template = llm.metadata["tokenizer.chat_template"]
            self._chat_formatter = Jinja2ChatFormatter(template, text(llm.token_eos()), text(llm.token_bos()))
        return self._chat_formatter

    def _generate(self, llm: Any, messages: list[Message], max_tokens: int) -> tuple[str, Usage]:
        temperature = self.settings.temperature
        if self._chat_template:
            out = llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, repeat_penalty=REPEAT_PENALTY
            )
            text = out["choices"][0]["message"].get("content") or ""
        else:
            prompt = format_plain_prompt(messages)
            out = llm.create_completion(
                prompt, max_tokens=max_tokens, temperature=temperature, stop=PLAIN_STOP, repeat_penalty=REPEAT_PENALTY
            )
            text = out["choices"][0].get("text") or ""
        usage = out.get("usage") or {}
        return text, Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)))
