"""Every text of a request, scanned and routed as one conversation.

A request is read into ``Slot``s: each place in the JSON body that holds text
the upstream would see (message contents and their text parts, tool-call and
function-call arguments, legacy prompts, Responses input items, embedding
inputs).  The slots are scanned one by one through the ``ScanCache`` (so turn
10 of a conversation rescans only what is new), then decided together as one
document, with the same stages as ``pipeline.prepare``: ``decide`` → doubts →
``decide`` again → pseudonymise (``rewrite``) → ``check_payload``.  The guard reads a
pseudonymised text by scanning again only around its placeholders
(``detect/rescan.py``): far from them the text is the scanned message, unchanged.

Pseudonymisation runs over the whole conversation at once (the slots joined by
a separator no text may contain), so one value gets one placeholder across all
turns and tool calls, numbered by first appearance: the same history always
gets the same placeholders (upstream prompt caches keep working), and a value
restored into an earlier answer is hidden again when that answer comes back
as history.

Every other string of the body is sorted by the written allowlist in
``fields.py``: the values of fields nobody listed are slots like the rest
(masked in place); names, ids, descriptions, schemas and the names of unlisted
fields cannot be masked in place, so they are scanned together as one slot
(findings only: JSON schema words are not names) and, if they hold anything the
policy would redact, the request stays local (``unmaskable-field``).  Nothing
leaves unscanned but what that allowlist lets pass: numbers, booleans, API
enums in their own fields and the model name.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..detect.findings import Finding, ScanResult
from ..detect.rescan import Edit, rescan
from ..policy import Decision, Policy, Route
from ..prepare import CLOUD_ROUTES, decide_texts, guarded as guarded_decision, reroute, rewrite_for, to_redact, unmaskable
from ..transform import Mapping, Rewritten
from .errors import BadRequest
from .fields import show_path, unread
from .scancache import ScanCache

#: Joins slots for pseudonymisation; requests holding it are refused (see ``BadRequest``).
SEP = "\n\x00\n"
Path = tuple[Any, ...]
#: The path of the one slot that holds a request's scan-only strings, joined (never written back).
SCAN_ONLY: Path = ("<scan-only>",)


@dataclass
class Slot:
    path: Path  # where the text lives in the request body
    text: str
    maskable: bool = True  # False: scan-only (the request goes local if it needs masking)


@dataclass
class Routed:
    """The routing of one request: its decision and, on the cloud routes, the guard-approved texts."""

    decision: Decision
    slots: list[Slot]
    outgoing: list[str] | None = None  # per slot, on the cloud routes
    mapping: Mapping | None = field(default=None, repr=False)
    entity_counts: dict[str, int] = field(default_factory=dict)
    category_counts: dict[str, int] = field(default_factory=dict)
    top_scores: dict[str, float] = field(default_factory=dict)
    sha256: str = ""
    size: int = 0

    @property
    def route(self) -> Route:
        return self.decision.route


# ----------------------------------------------------------------------------- reading slots


def _text(slots: list[Slot], path: Path, value: Any, what: str, *, maskable: bool = True) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise BadRequest(f"{what} must be a string")
    if "\x00" in value:
        raise BadRequest(f"{what} contains a NUL character")
    slots.append(Slot(path, value, maskable))


def _content(slots: list[Slot], path: Path, content: Any, what: str, text_types: tuple[str, ...]) -> None:
    if content is None or isinstance(content, str):
        return _text(slots, path, content, what)
    if not isinstance(content, list):
        raise BadRequest(f"{what} must be a string or a list of content parts")
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in text_types:
            _text(slots, (*path, j, "text"), part.get("text"), f"{what}[{j}].text")
        elif kind == "refusal":
            _text(slots, (*path, j, "refusal"), part.get("refusal"), f"{what}[{j}].refusal")
        else:
            # images, audio and files cannot be scanned: refusing is the only closed way
            raise BadRequest(f"{what}[{j}]: content part type {kind!r} cannot be scanned by the gateway")


def _unread(slots: list[Slot], endpoint: str, body: dict[str, Any]) -> None:
    """Every other string of the body (``fields.py``): field values nobody listed become slots
    masked in place; names, ids, schemas and descriptions are scanned together as one slot
    that cannot be masked."""
    scan_only: list[str] = []
    for leaf in unread(endpoint, body, {s.path for s in slots}):
        if leaf.maskable:
            _text(slots, leaf.path, leaf.text, show_path(leaf.path))
        else:
            scan_only.append(leaf.text)
    if scan_only:
        slots.append(Slot(SCAN_ONLY, "\n\n".join(scan_only), maskable=False))


def chat_slots(body: dict[str, Any]) -> list[Slot]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages must be a non-empty list")
    slots: list[Slot] = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise BadRequest(f"messages[{i}] must be an object")
        _content(slots, ("messages", i, "content"), m.get("content"), f"messages[{i}].content", ("text",))
        for k, call in enumerate(m.get("tool_calls") or []):
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict):
                raise BadRequest(f"messages[{i}].tool_calls[{k}].function must be an object")
            _text(slots, ("messages", i, "tool_calls", k, "function", "arguments"), fn.get("arguments"),
                  f"messages[{i}].tool_calls[{k}].function.arguments")
        if isinstance(m.get("function_call"), dict):
            _text(slots, ("messages", i, "function_call", "arguments"), m["function_call"].get("arguments"),
                  f"messages[{i}].function_call.arguments")
    _unread(slots, "chat.completions", body)
    return slots


def _strings(slots: list[Slot], body: dict[str, Any], key: str) -> None:
    """``body[key]`` as one string or a non-empty list of strings; token arrays cannot be scanned."""
    value = body.get(key)
    if isinstance(value, str):
        _text(slots, (key,), value, key)
    elif isinstance(value, list) and value and all(isinstance(p, str) for p in value):
        for i, p in enumerate(value):
            _text(slots, (key, i), p, f"{key}[{i}]")
    else:
        raise BadRequest(f"{key} must be a string or a list of strings (token arrays cannot be scanned)")


def completion_slots(body: dict[str, Any]) -> list[Slot]:
    slots: list[Slot] = []
    _strings(slots, body, "prompt")
    _text(slots, ("suffix",), body.get("suffix"), "suffix")
    _unread(slots, "completions", body)
    return slots


def embedding_slots(body: dict[str, Any]) -> list[Slot]:
    slots: list[Slot] = []
    _strings(slots, body, "input")
    _unread(slots, "embeddings", body)
    return slots


RESPONSE_TEXT_PARTS = ("input_text", "output_text", "text")


def response_slots(body: dict[str, Any]) -> list[Slot]:
    slots: list[Slot] = []
    _text(slots, ("instructions",), body.get("instructions"), "instructions")
    value = body.get("input")
    if isinstance(value, str):
        _text(slots, ("input",), value, "input")
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise BadRequest(f"input[{i}] must be an object")
            kind = item.get("type", "message")
            if kind == "message":
                _content(slots, ("input", i, "content"), item.get("content"), f"input[{i}].content", RESPONSE_TEXT_PARTS)
            elif kind == "function_call":
                _text(slots, ("input", i, "arguments"), item.get("arguments"), f"input[{i}].arguments")
            elif kind == "function_call_output":
                _text(slots, ("input", i, "output"), item.get("output"), f"input[{i}].output")
            else:
                raise BadRequest(f"input[{i}]: item type {kind!r} cannot be scanned by the gateway")
    else:
        raise BadRequest("input must be a string or a non-empty list of input items")
    _unread(slots, "responses", body)
    return slots


def write_back(body: dict[str, Any], slots: list[Slot], texts: list[str]) -> dict[str, Any]:
    """A copy of ``body`` with each slot's text replaced (containers on the paths are copied)."""
    out = copy.deepcopy(body)
    for slot, text in zip(slots, texts):
        if not slot.maskable:
            continue  # scanned, never rewritten
        target = out
        for key in slot.path[:-1]:
            target = target[key]
        target[slot.path[-1]] = text
    return out


# ----------------------------------------------------------------------------- routing


def route_conversation(
    slots: list[Slot], policy: Policy, cache: ScanCache, *, cloud_configured: bool, force_local: str = ""
) -> Routed:
    """The prepare stage (``prepare.py``) for all slots as one document: decide (doubts and the
    transform's own findings on the slots that can be rewritten) → reroute → transform → guard.
    What is the gateway's own: the slots are joined so one value gets one placeholder across
    the conversation, and the guard reads each rewritten slot around its placeholders only.

    Raises whatever the scanner raises: the caller fails the request closed."""
    scans = cache.get_many([s.text for s in slots])
    texts = [s.text for s in slots]
    decision, acted = decide_texts(texts, [sc.findings for sc in scans], policy,
                                   rewritable=[s.maskable for s in slots], doubts=cache.doubts)
    routed = Routed(decision, slots)
    _summarise(routed, acted, texts)
    routed.decision = reroute(routed.decision, cloud_configured=cloud_configured, force_local=force_local)
    if routed.route in CLOUD_ROUTES:
        _cloud_payload(routed, scans, acted, policy, cache)
    return routed


def _summarise(routed: Routed, acted: list[tuple[Finding, ...]], texts: list[str]) -> None:
    """The counts the audit record and the headers carry: every finding the decision acted on,
    the doubt pass's included (as a batch record counts them)."""
    joined = SEP.join(texts)
    everything = ScanResult(joined, tuple(f for fs in acted for f in fs))
    routed.entity_counts = everything.counts_by_type()
    routed.category_counts = everything.counts_by_category()
    routed.top_scores = everything.top_scores()
    raw = joined.encode("utf-8", "surrogatepass")
    routed.sha256, routed.size = hashlib.sha256(raw).hexdigest(), len(raw)


def _cloud_payload(routed: Routed, scans: list, acted: list[tuple[Finding, ...]], policy: Policy,
                   cache: ScanCache) -> None:
    slots = routed.slots
    outgoing = [s.text for s in slots]
    rewritten: list[Rewritten | None] = [None] * len(slots)
    if routed.route is Route.CLOUD_REDACTED:
        if any(to_redact(a, policy) for s, a in zip(slots, acted) if not s.maskable):
            routed.decision = unmaskable(routed.decision)
            return
        idx = [i for i, s in enumerate(slots) if s.maskable]
        joined, shifted, offset = [], [], 0
        for i in idx:
            shifted += [Finding(f.entity_type, f.category, f.start + offset, f.end + offset, f.score, f.recognizer)
                        for f in acted[i]]
            joined.append(slots[i].text)
            offset += len(slots[i].text) + len(SEP)
        done = rewrite_for(policy, SEP.join(joined), shifted)
        routed.mapping = done.mapping
        pieces = done.text.split(SEP)
        assert len(pieces) == len(idx), "a placeholder never contains the separator"
        per_edits = _edits_per_piece(joined, pieces, done.edits)
        for i, piece, slot_edits, kept in zip(idx, pieces, per_edits, _kept_per_piece(pieces, done.kept)):
            outgoing[i] = piece
            rewritten[i] = Rewritten(piece, done.mapping, kept, slot_edits)
    # the guard, on each distinct outgoing text of the conversation; scan-only fields were
    # decided on their findings above (doubts on JSON schema words would send every tool call local).
    # A pseudonymised text is read by rescanning only around its placeholders (detect/rescan.py).
    guarded: dict[str, int] = {}
    for i, (s, text) in enumerate(zip(slots, outgoing)):
        if s.maskable:
            guarded.setdefault(text, i)
    for text, i in guarded.items():
        before = (slots[i].text, cache.doubts(slots[i].text, scans[i].findings))
        done_i = rewritten[i]
        reading = partial(rescan, text, scans[i].findings, done_i.edits, cache.findings_many, before) \
            if done_i is not None and done_i.edits else None
        verdict = cache.guard(text, policy, routed.mapping, reading, document=done_i)
        routed.decision = guarded_decision(routed.decision, verdict)
        if not verdict.ok:
            routed.mapping = None
            return
    routed.outgoing = outgoing


def _kept_per_piece(pieces: list[str], kept: tuple[tuple[int, int], ...]) -> list[tuple[tuple[int, int], ...]]:
    """The spans the transform wrote in clear on purpose, per slot in the slot's own offsets."""
    out: list[list[tuple[int, int]]] = [[] for _ in pieces]
    k, start = 0, 0
    for s, e in kept:  # in text order; none crosses a separator
        while s >= start + len(pieces[k]) + len(SEP):
            start += len(pieces[k]) + len(SEP)
            k += 1
        out[k].append((s - start, e - start))
    return [tuple(x) for x in out]


def _edits_per_piece(originals: list[str], pieces: list[str], edits: tuple[Edit, ...]) -> list[tuple[Edit, ...]]:
    """The edits of the joined conversation, split per slot in the slot's own offsets."""
    out: list[list[Edit]] = [[] for _ in originals]
    k, start, at = 0, 0, 0
    for e in edits:  # in text order; none crosses a separator
        while e.start >= start + len(originals[k]) + len(SEP):
            start += len(originals[k]) + len(SEP)
            at += len(pieces[k]) + len(SEP)
            k += 1
        out[k].append(Edit(e.start - start, e.end - start, e.at - at, e.to - at))
    return [tuple(x) for x in out]
