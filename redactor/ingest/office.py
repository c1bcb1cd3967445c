"""PDF (pypdf) and DOCX (python-docx).  Parser errors become ``CorruptDocument``
naming the parser's error class only: their messages can quote file bytes.

pypdf also logs what it repairs (``EOF marker not found``) through the
``pypdf`` logger.  With no handler configured Python prints those on stderr,
beside the one ``error:`` line, and some quote file bytes; so that logger is
given a handler that drops them and kept from the root logger, once, here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree
from pypdf import PdfReader
from pypdf.errors import DependencyError

from ..config import IngestSettings
from ..errors import CorruptDocument, EmptyDocument
from .document import Document
from .guards import check_zip

# ---------------------------------------------------------------- PDF

_PYPDF_LOG = logging.getLogger("pypdf")
_PYPDF_LOG.addHandler(logging.NullHandler())
_PYPDF_LOG.propagate = False


def read_pdf(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    notes: list[str] = []
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            _decrypt_with_empty_password(path, reader)
            notes.append("encrypted PDF opened with an empty password")
        pages = list(reader.pages)
    except CorruptDocument:
        raise
    except Exception as e:  # pypdf raises PdfReadError, but also KeyError, ValueError ... on bad files
        raise CorruptDocument(path, f"unreadable PDF ({type(e).__name__})") from None
    if not pages:
        raise EmptyDocument(path, "PDF has no pages")

    texts, failed = [], 0
    for number, page in enumerate(pages, 1):
        try:
            texts.append((page.extract_text() or "").strip())
        except Exception as e:
            failed += 1
            notes.append(f"page {number}: text extraction failed ({type(e).__name__})")
    if failed == len(pages):
        raise CorruptDocument(path, "text extraction failed on every page")
    text = "\n\n".join(t for t in texts if t)
    if not text:
        raise EmptyDocument(path, "no extractable text (scanned image?)")
    yield Document(id=str(path), text=text, source="pdf", notes=tuple(notes))


def _decrypt_with_empty_password(path: Path, reader: PdfReader) -> None:
    # Many PDFs carry only an owner password ("no printing") and open with "".
    try:
        opened = reader.decrypt("")
    except DependencyError:
        raise CorruptDocument(path, "encrypted PDF (the 'cryptography' package is needed to open it)") from None
    except Exception:
        opened = 0
    if not opened:
        raise CorruptDocument(path, "encrypted PDF (password required)")


# ---------------------------------------------------------------- DOCX

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Text boxes live inside drawing runs, where Paragraph.text does not look.  The
# mc:Fallback copy (VML) repeats the mc:Choice one, so it is skipped.
_TEXT_BOXES = etree.XPath(".//w:txbxContent[not(ancestor::mc:Fallback)]", namespaces={"w": _W, "mc": _MC})
_PARAGRAPHS = etree.XPath(".//w:p", namespaces={"w": _W})
_RUN_TEXT = etree.XPath(".//w:t/text()", namespaces={"w": _W})
# Parts python-docx has no reader API for, that still hold text a person wrote.
_NOTE_PARTS = ("/word/footnotes.xml", "/word/endnotes.xml", "/word/comments.xml")
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def read_docx(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    check_zip(path, data, settings.max_bytes)  # before python-docx inflates anything
    try:
        document = docx.Document(BytesIO(data))
        blocks = _headers_footers(document, "header")
        blocks += _blocks(document.iter_inner_content())
        blocks += [_xml_text(box) for box in _TEXT_BOXES(document.element.body)]
        blocks += _note_parts(document)
        blocks += _headers_footers(document, "footer")
    except Exception as e:  # PackageNotFoundError, KeyError, XMLSyntaxError, ValueError (not a Word file) ...
        raise CorruptDocument(path, f"unreadable DOCX ({type(e).__name__})") from None
    text = "\n\n".join(b for b in blocks if b.strip())
    if not text.strip():
        raise EmptyDocument(path, "no text in the document")
    yield Document(id=str(path), text=text, source="docx")


def _blocks(items: Iterable[Paragraph | Table]) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, Paragraph):
            out.append(item.text.strip())
        else:
            out.append(_table_text(item))
    return [b for b in out if b]


def _table_text(table: Table) -> str:
    lines = []
    for row in table.rows:
        try:
            cells = row.cells
        except Exception:  # malformed grid: keep the text, lose the layout
            lines.append(" ".join(t.strip() for t in _RUN_TEXT(row._tr) if t.strip()))
            continue
        values = []
        for i, cell in enumerate(cells):
            if i and cell._tc is cells[i - 1]._tc:  # a merged cell is listed once per grid column
                continue
            values.append(" ".join(_blocks(cell.iter_inner_content())).replace("\n", " "))
        if any(values):
            lines.append(" | ".join(values))
    return "\n".join(lines)


def _headers_footers(document: docx.document.Document, kind: str) -> list[str]:
    out, seen = [], set()
    for section in document.sections:
        for attr in (kind, f"first_page_{kind}", f"even_page_{kind}"):
            part = getattr(section, attr)
            # Linked means "no definition of its own"; reading it would add one.
            if part.is_linked_to_previous:
                continue
            text = "\n".join(_blocks(part.iter_inner_content()))
            if text and text not in seen:
                seen.add(text)
                out.append(text)
    return out


def _note_parts(document: docx.document.Document) -> list[str]:
    out = []
    for part in document.part.package.iter_parts():
        if str(part.partname) in _NOTE_PARTS:
            root = etree.fromstring(part.blob, _SAFE_XML)
            out.append(_xml_text(root))
    return out


def _xml_text(element: etree._Element) -> str:
    paragraphs = ("".join(_RUN_TEXT(p)).strip() for p in _PARAGRAPHS(element))
    return "\n".join(p for p in paragraphs if p)
