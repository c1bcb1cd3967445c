"""E-mail (.eml): headers, the text body, and text attachments, as one Document."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path

from ..config import IngestSettings
from .document import Document
from .guards import decode_text, file_suffix, looks_binary, require_text
from .text import html_to_text

HEADERS = ("From", "To", "Cc", "Subject", "Date")
_TEXT_ATTACHMENT_SUFFIXES = frozenset({".txt", ".csv", ".tsv", ".md", ".log", ".json", ".jsonl", ".html", ".htm"})
_MAX_NESTING = 3  # forwarded message inside forwarded message ...


def read_eml(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    msg = email.message_from_bytes(data, policy=policy.default)
    notes: list[str] = []
    text = _render(msg, notes, depth=0)
    require_text(path, text, "no text in headers, body or attachments")
    yield Document(id=str(path), text=text, source="email", notes=tuple(dict.fromkeys(notes)))


def _render(msg: Message, notes: list[str], depth: int) -> str:
    blocks = []
    headers = "\n".join(f"{name}: {value}" for name in HEADERS if (value := _header(msg, name)))
    if headers:
        blocks.append(headers)

    body = msg.get_body(preferencelist=("plain", "html")) if isinstance(msg, EmailMessage) else None
    if body is not None:
        body_text = _part_text(body, notes)
        if body_text:
            blocks.append(body_text)

    attachments = msg.iter_attachments() if isinstance(msg, EmailMessage) and msg.is_multipart() else ()
    for part in attachments:
        label = part.get_filename() or part.get_content_type()
        if part.get_content_type() == "message/rfc822" and depth < _MAX_NESTING:
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(inner_msg, Message):
                blocks.append(f"--- attached message ---\n{_render(inner_msg, notes, depth + 1)}")
            continue
        part_text = _part_text(part, notes) if _is_text(part) else None
        if part_text is None:
            notes.append(f"skipped non-text attachment ({part.get_content_type()})")
        elif part_text:
            blocks.append(f"--- attachment: {label} ---\n{part_text}")
    return "\n\n".join(b.strip() for b in blocks if b.strip())


def _header(msg: Message, name: str) -> str:
    try:
        values = msg.get_all(name) or []
        return ", ".join(str(v).strip() for v in values if str(v).strip())
    except Exception:  # a malformed header must not lose the whole message: use it raw
        return ", ".join(str(v).strip() for k, v in msg.raw_items() if k.lower() == name.lower())


def _is_text(part: Message) -> bool:
    return part.get_content_type().startswith("text/") or file_suffix(Path(part.get_filename() or "")) in (
        _TEXT_ATTACHMENT_SUFFIXES
    )


def _part_text(part: Message, notes: list[str]) -> str | None:
    """Text of a leaf part, or None if it turns out to be binary."""
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return ""
    if looks_binary(raw):
        return None
    text = None
    charset = part.get_content_charset()
    if charset:
        try:
            text = raw.decode(charset).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            notes.append(f"declared charset did not decode a part ({part.get_content_type()})")
    if text is None:
        text, decode_notes = decode_text(raw)
        notes.extend(decode_notes)
    is_html = part.get_content_type() == "text/html" or file_suffix(Path(part.get_filename() or "")) in (
        ".html",
        ".htm",
    )
    if is_html:
        text, html_notes = html_to_text(text)
        notes.extend(html_notes)
    return text.strip()
