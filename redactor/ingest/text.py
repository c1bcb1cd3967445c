"""Plain text (txt, md, log, no suffix) and HTML (visible text only)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, MarkupResemblesLocatorWarning, ProcessingInstruction

from ..config import IngestSettings
from .document import Document
from .guards import decode_text, require_text

# Never rendered, or not document text.  <title> is kept separately: it is visible
# in the tab and often names the subject of the page.
_DROP = ("head", "script", "style", "noscript", "template", "iframe", "object", "embed", "meta", "link")
# Browsers put a blank line around these, and a line break around these.
_PARAGRAPH = (
    "address", "article", "aside", "blockquote", "details", "dl", "fieldset", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre",
    "section", "table", "ul",
)  # fmt: skip
_LINE = ("caption", "dd", "div", "dt", "figcaption", "li", "summary", "tr")
# Private-use markers for breaks, so that newlines in the markup (which a browser
# shows as spaces) can be collapsed without losing the breaks we mean.
_PARA_MARK, _LINE_MARK = "\ue000", "\ue001"
_BREAKS = re.compile(r"[ \ue000\ue001]*[\ue000\ue001][ \ue000\ue001]*")
_WHITESPACE = re.compile(r"\s+")
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)

# bs4 warns when short markup looks like a file name or URL; ours is always markup.
# A narrow filter set once, because warnings.catch_warnings() is not thread-safe.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)


def read_plain(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    text, notes = decode_text(data)
    require_text(path, text)
    yield Document(id=str(path), text=text, source="text", notes=notes)


def read_html(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    text, notes = html_to_text(data)
    require_text(path, text, "no visible text")
    yield Document(id=str(path), text=text, source="html", notes=notes)


def html_to_text(markup: bytes | str) -> tuple[str, tuple[str, ...]]:
    """The text a reader would see, with line breaks at block elements and ' | ' between cells."""
    notes: list[str] = []
    soup = BeautifulSoup(markup, "lxml")
    enc = getattr(soup, "original_encoding", None)
    if enc and enc.lower() not in ("utf-8", "ascii"):
        notes.append(f"decoded as {enc}")
    if getattr(soup, "contains_replacement_characters", False):
        notes.append("undecodable bytes replaced")

    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP) + soup.find_all(hidden=True):
        if not tag.decomposed:
            tag.decompose()
    for node in soup.find_all(string=lambda s: isinstance(s, _NOT_TEXT)):
        node.extract()
    for cell in soup.find_all(["td", "th"]):
        if cell.find_previous_sibling(["td", "th"]):
            cell.insert_before(" | ")
    for pre in soup.find_all("pre"):
        for node in pre.find_all(string=True):
            node.replace_with(node.replace("\n", _LINE_MARK))
    for br in soup.find_all("br"):
        br.replace_with(_LINE_MARK)
    for tag in soup.find_all(_PARAGRAPH + _LINE):
        mark = _PARA_MARK if tag.name in _PARAGRAPH else _LINE_MARK
        tag.insert_before(mark)
        tag.insert_after(mark)

    text = _WHITESPACE.sub(" ", soup.get_text())
    body = _BREAKS.sub(lambda m: "\n\n" if _PARA_MARK in m.group() else "\n", text).strip()
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}" if body else title
    return body, tuple(notes)
