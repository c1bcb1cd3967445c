"""Documents longer than the context window: answered map-reduce, never silently truncated.

The document is split on token counts (at paragraph, then line, sentence,
word boundaries; characters only as a last resort) so each part fits with
the prompt and the answer.  The task is answered per part (map), then the
partial answers are combined by the same model (reduce), recursively if the
partial answers themselves do not fit.  Works with any ``Backend``.
"""

from __future__ import annotations

import time
from typing import Callable

from ..errors import BackendError, DocumentTooLong
from .base import Backend, Completion, Message, Usage

#: Tokens kept free for the chat template and counting error.
TEMPLATE_MARGIN = 48
#: Reduce rounds before we give up (each round shrinks the text a lot; this is a loop guard).
MAX_ROUNDS = 6
SEPARATORS = ("\n\n", "\n", ". ", " ")

MAP_NOTE = "(This is part {i} of {n} of a longer document. Answer for this part only.)"
REDUCE_TASK = (
    "The text below holds answers to the same task for consecutive parts of one document. "
    "Combine them into one answer to the task.\nTask: {task}"
)


#: The system prompt of a task over a document (batch runs, the library, model benchmarks).
SYSTEM_PROMPT = "You are a careful assistant. Answer the task about the document concisely."


def build_messages(system: str, task: str, document: str) -> list[Message]:
    """The prompt shape for a task over a document: optional system, then the document,
    then the task last (small models follow the instruction nearest the answer)."""
    messages: list[Message] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": f"Document:\n{document}\n\nTask: {task}"})
    return messages


def split_by_tokens(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Split ``text`` into parts of at most ``budget`` tokens.  ``"".join(parts) == text``."""
    if budget < 1:
        raise ValueError("budget must be at least one token")
    return _split(text, budget, count, 0)


def _pieces(text: str, sep: str) -> list[str]:
    parts = text.split(sep)
    return [p + sep for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _split(text: str, budget: int, count: Callable[[str], int], level: int) -> list[str]:
    if count(text) <= budget:
        return [text]
    if level == len(SEPARATORS):
        return _hard_split(text, budget, count)
    chunks: list[str] = []
    current, current_tokens = "", 0
    for piece in _pieces(text, SEPARATORS[level]):
        tokens = count(piece) + 1  # +1: a boundary can cost a token once joined
        if tokens > budget:
            if current:
                chunks.append(current)
                current, current_tokens = "", 0
            chunks.extend(_split(piece, budget, count, level + 1))
        elif current and current_tokens + tokens > budget:
            chunks.append(current)
            current, current_tokens = piece, tokens
        else:
            current, current_tokens = current + piece, current_tokens + tokens
    if current:
        chunks.append(current)
    # The running sum is an estimate; re-split anything the exact count rejects.
    exact: list[str] = []
    for chunk in chunks:
        exact.extend(_split(chunk, budget, count, level + 1) if count(chunk) > budget else [chunk])
    return exact


def _hard_split(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    parts = []
    while text:
        lo, hi = 1, len(text)  # largest prefix that fits, by binary search
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[:mid]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        parts.append(text[:lo])
        text = text[lo:]
    return parts


def complete_long(
    backend: Backend, *, system: str, task: str, document: str, max_tokens: int, max_input_tokens: int | None = None
) -> Completion:
    """Answer ``task`` over ``document`` with ``backend``, however long the document is.

    One call when everything fits; otherwise map-reduce.  The returned
    ``Completion`` sums usage and cost over every call and counts them in
    ``calls``.  A document over ``max_input_tokens`` is refused before any
    call (``DocumentTooLong``): a small local model spends minutes on a long
    one and its combined answer is rarely worth it.
    """
    start = time.monotonic()
    if max_input_tokens is not None:
        tokens = backend.count_tokens(document)
        if tokens > max_input_tokens:
            raise DocumentTooLong(
                f"the document has {tokens} tokens, over the {max_input_tokens}-token budget of the {backend.name} "
                f"model (local.max_input_tokens); raise the budget or split the document"
            )
    calls: list[Completion] = []
    text = document
    current_task, map_note = task, True
    for _ in range(MAX_ROUNDS):
        fixed = backend.count_tokens(system) + backend.count_tokens(current_task) + TEMPLATE_MARGIN
        if fixed + backend.count_tokens(text) + max_tokens <= backend.context_tokens:
            calls.append(backend.complete(build_messages(system, current_task, text), max_tokens=max_tokens))
            return _merge(calls, start)
        note = backend.count_tokens(MAP_NOTE.format(i=999, n=999)) if map_note else 0
        budget = backend.context_tokens - max_tokens - fixed - note
        # Each part's answer (max_tokens plus its label) must be clearly smaller
        # than the part, or the reduce rounds would never converge.
        if budget < 2 * (max_tokens + 8):
            raise BackendError(
                f"the {backend.context_tokens}-token context window of {backend.name} is too small to answer a "
                f"long document in parts with max_tokens={max_tokens}; raise n_ctx or lower max_tokens"
            )
        parts = split_by_tokens(text, budget, backend.count_tokens)
        answers = []
        for i, part in enumerate(parts, 1):
            part_task = f"{current_task}\n{MAP_NOTE.format(i=i, n=len(parts))}" if map_note else current_task
            done = backend.complete(build_messages(system, part_task, part), max_tokens=max_tokens)
            calls.append(done)
            answers.append(f"Part {i}: {done.text.strip()}")
        text = "\n\n".join(answers)
        current_task, map_note = REDUCE_TASK.format(task=task), False
    raise BackendError(f"long document did not reduce to one answer in {MAX_ROUNDS} rounds")


def _merge(calls: list[Completion], start: float) -> Completion:
    final = calls[-1]
    if len(calls) == 1:
        return final
    usage = sum((c.usage for c in calls), Usage())
    return Completion(
        text=final.text,
        usage=usage,
        model=final.model,
        latency_ms=(time.monotonic() - start) * 1000,
        backend=final.backend,
        endpoint_host=final.endpoint_host,
        cost_usd=sum(c.cost_usd for c in calls),
        price_known=all(c.price_known for c in calls),
        calls=sum(c.calls for c in calls),
        retries=sum(c.retries for c in calls),
    )
