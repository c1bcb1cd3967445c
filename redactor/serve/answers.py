"""Answer bodies: re-identifying the upstream's, and building the local model's in OpenAI's shapes."""

from __future__ import annotations

import json
import time
from typing import Any

from ..backends.base import Completion
from ..transform import Mapping, restore


def json_escaped(mapping: Mapping) -> Mapping:
    """The mapping with each value escaped for the inside of a JSON string (tool-call arguments)."""
    escaped = Mapping()
    escaped._by_token = {t: json.dumps(v, ensure_ascii=False)[1:-1] for t, v in mapping._by_token.items()}
    return escaped


def _usable(mapping: Mapping | None) -> bool:
    return mapping is not None and len(mapping) > 0


def restore_chat(data: dict[str, Any], mapping: Mapping | None) -> None:
    if not _usable(mapping):
        return
    assert mapping is not None
    escaped = json_escaped(mapping)
    for choice in data.get("choices") or []:
        msg = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(msg, dict):
            continue
        for field in ("content", "refusal"):
            if isinstance(msg.get(field), str):
                msg[field] = restore(msg[field], mapping)
        calls = [c.get("function") for c in msg.get("tool_calls") or [] if isinstance(c, dict)]
        if isinstance(msg.get("function_call"), dict):
            calls.append(msg["function_call"])
        for fn in calls:
            if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                fn["arguments"] = restore(fn["arguments"], escaped)


def restore_completion(data: dict[str, Any], mapping: Mapping | None) -> None:
    if not _usable(mapping):
        return
    assert mapping is not None
    for choice in data.get("choices") or []:
        if isinstance(choice, dict) and isinstance(choice.get("text"), str):
            choice["text"] = restore(choice["text"], mapping)


def restore_response(data: dict[str, Any], mapping: Mapping | None) -> None:
    if not _usable(mapping):
        return
    assert mapping is not None
    escaped = json_escaped(mapping)
    for item in data.get("output") or []:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "function_call" and isinstance(item.get("arguments"), str):
            item["arguments"] = restore(item["arguments"], escaped)
        for part in item.get("content") or []:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"] = restore(part["text"], mapping)
    if isinstance(data.get("output_text"), str):
        data["output_text"] = restore(data["output_text"], mapping)


# ----------------------------------------------------------------------------- local answers


def _usage(completions: list[Completion]) -> dict[str, int]:
    prompt = completions[0].usage.prompt_tokens if completions else 0
    out = sum(c.usage.completion_tokens for c in completions)
    return {"prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out}


def local_chat(request_id: str, model: str, completions: list[Completion]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": c.text}, "finish_reason": "stop", "logprobs": None}
            for i, c in enumerate(completions)
        ],
        "usage": _usage(completions),
    }


def local_completion(request_id: str, model: str, completions: list[Completion]) -> dict[str, Any]:
    return {
        "id": f"cmpl-{request_id}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": i, "text": c.text, "finish_reason": "stop", "logprobs": None} for i, c in enumerate(completions)],
        "usage": _usage(completions),
    }


def local_response(request_id: str, model: str, c: Completion) -> dict[str, Any]:
    return {
        "id": f"resp_{request_id}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "model": model,
        "output": [
            {
                "type": "message",
                "id": f"msg_{request_id}",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": c.text, "annotations": []}],
            }
        ],
        "parallel_tool_calls": False,
        "tool_choice": "none",
        "tools": [],
        "store": False,
        "usage": {
            "input_tokens": c.usage.prompt_tokens,
            "output_tokens": c.usage.completion_tokens,
            "total_tokens": c.usage.total_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def chunk(request_id: str, model: str, kind: str, index: int, text: str | None, finish: str | None = None,
          role: bool = False) -> dict[str, Any]:
    """One streamed chunk of a local answer (``kind`` is ``chat`` or ``completions``)."""
    created = int(time.time())
    if kind == "chat":
        delta: dict[str, Any] = {"role": "assistant"} if role else {}
        if text is not None:
            delta["content"] = text
        choice: dict[str, Any] = {"index": index, "delta": delta, "finish_reason": finish}
        return {"id": f"chatcmpl-{request_id}", "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [choice]}
    return {"id": f"cmpl-{request_id}", "object": "text_completion", "created": created, "model": model,
            "choices": [{"index": index, "text": text or "", "finish_reason": finish, "logprobs": None}]}
