"""How faithful and how fast one encoding of a model is, measured on the model itself.

Three measurements, each cheap enough to run at install time on a small model:

- ``perplexity()``: the mean token log-likelihood of a fixed reference text
  (``data/reference.txt``, ~450 tokens of business and clinical prose like the
  documents redactor answers), reported as perplexity.  It also returns the
  model's top-1 prediction at each position, so two encodings can be compared
  token by token.
- ``answer_accuracy()``: a small labelled task (``data/answer_check.json``:
  24 short notes, "what is the dollar amount / the date / the diagnosis"),
  answered greedily through ``LocalBackend`` (the same prompt path as a run),
  scored by whether the answer contains the labelled value.
- ``speed()``: tokens per CPU-second (prompt + generated) for the reference text
  plus 32 new tokens, on ``n_threads`` threads, best of ``reps``.

Nothing here reads user documents.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import LocalSettings
from ..errors import LocalModelError
from .local import LocalBackend, load_llama
from .longdoc import build_messages

DATA = Path(__file__).parent / "data"
ANSWER_SYSTEM = "Answer with the value asked for, copied from the note. No explanation."
ANSWER_MAX_TOKENS = 24
SPEED_NEW_TOKENS = 32


@dataclass(frozen=True)
class Perplexity:
    perplexity: float
    mean_logprob: float
    tokens: int
    top1: tuple[int, ...]  # the predicted next token at each position

    def agreement(self, other: "Perplexity") -> float:
        """Share of positions where both encodings predict the same next token."""
        n = min(len(self.top1), len(other.top1))
        return sum(a == b for a, b in zip(self.top1, other.top1)) / n if n else 0.0


def reference_text() -> str:
    return (DATA / "reference.txt").read_text(encoding="utf-8")


def answer_items() -> list[dict[str, Any]]:
    return json.loads((DATA / "answer_check.json").read_text(encoding="utf-8"))["items"]


def _llama(path: Path, *, n_ctx: int, n_threads: int) -> Any:
    try:
        return load_llama(path, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads)
    except Exception as e:  # llama.cpp's own message names C-level state only, but keep the class alone
        raise LocalModelError(f"could not load {path.name} ({type(e).__name__})") from None


def perplexity(path: Path, text: str | None = None, *, n_threads: int = 1) -> Perplexity:
    """Perplexity of ``text`` (default: the reference text) under the model at ``path``.

    Token by token, reading the last position's logits after each step:
    ``logits_all`` batches crash llama-cpp-python 0.3.36's decode."""
    import llama_cpp
    import numpy as np

    text = reference_text() if text is None else text
    llm = _llama(path, n_ctx=1024, n_threads=n_threads)
    tokens = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)[: llm.n_ctx() - 1]
    n_vocab = llm.n_vocab()
    total, top1 = 0.0, []
    for i, token in enumerate(tokens[:-1]):
        llm.eval([token])
        row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(n_vocab,)).astype(np.float64)
        peak = row.max()
        total += float(row[tokens[i + 1]] - peak - np.log(np.exp(row - peak).sum()))
        top1.append(int(row.argmax()))
    n = len(tokens) - 1
    mean = total / n
    return Perplexity(perplexity=math.exp(-mean), mean_logprob=mean, tokens=n, top1=tuple(top1))


def _normal(text: str) -> str:
    return re.sub(r"[\s,]+", "", text.lower())


def is_correct(answer: str, expected: list[str]) -> bool:
    return any(_normal(e) in _normal(answer) for e in expected)


def answer_accuracy(path: Path, *, n_threads: int = 1) -> tuple[int, int, list[str]]:
    """(correct, items, answers) on the labelled task, greedy, through ``LocalBackend``."""
    backend = LocalBackend(LocalSettings(model=str(path), n_ctx=1024, n_threads=n_threads, temperature=0.0),
                           model_path=path)
    items = answer_items()
    answers = []
    for item in items:
        done = backend.complete(build_messages(ANSWER_SYSTEM, item["question"], item["note"]),
                                max_tokens=ANSWER_MAX_TOKENS)
        answers.append(done.text)
    correct = sum(is_correct(a, item["answers"]) for a, item in zip(answers, items))
    return correct, len(items), answers


def speed(path: Path, *, n_threads: int = 1, reps: int = 2) -> float:
    """Tokens per CPU-second (prompt + generated) for the reference text plus up to 32 new tokens.

    CPU time, not wall time: on a shared machine the wall clock measures the
    neighbours, while one thread's CPU time measures the encoding (with more
    threads it also counts their spinning, which is a real cost)."""
    llm = _llama(path, n_ctx=1024, n_threads=n_threads)
    prompt = reference_text() + "\n\nSummary:"
    best = 0.0
    for _ in range(reps):
        llm.reset()  # no prefix reuse: every rep reads the whole prompt
        start = time.process_time()
        out = llm.create_completion(prompt, max_tokens=SPEED_NEW_TOKENS, temperature=0.0)
        elapsed = max(time.process_time() - start, 1e-6)
        usage = out["usage"]
        best = max(best, (usage["prompt_tokens"] + usage["completion_tokens"]) / elapsed)
    return best
