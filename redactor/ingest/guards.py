"""Checks every input passes before a parser sees it, and the shared byte-to-text step.

Each guard raises an ``IngestError`` subclass that names the file and the
reason, never the content.  They run in this order in ``readers.read_path``:
size (from ``stat``, before reading) -> empty -> binary (text formats) ->
format-specific guards such as ``check_zip`` for DOCX.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import zipfile
from io import BytesIO
from pathlib import Path

import charset_normalizer

from ..errors import BinaryFile, CorruptDocument, EmptyDocument, FileTooLarge, IngestError

#: How much of a file the binary sniff looks at.
SNIFF_BYTES = 8192
#: Share of control bytes in the sniffed head above which a file counts as binary.
MAX_CONTROL_RATIO = 0.10
#: A zip container (DOCX) may inflate to 10 x max_bytes, but never past ZIP_MAX_TOTAL,
#: and always at least ZIP_TOTAL_FLOOR: Word XML routinely compresses 20-30:1, so a
#: small max_bytes alone would flag honest files.
ZIP_TOTAL_FLOOR = 100 * 1024 * 1024
ZIP_MAX_TOTAL = 200 * 1024 * 1024
#: Members at least this large must not compress better than ZIP_MAX_RATIO:1.
ZIP_RATIO_MIN_MEMBER = 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 10_000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that never appear in text: C0 controls except \t \n \v \f \r and ESC, plus DEL.
_CONTROL = frozenset(range(0x00, 0x09)) | (frozenset(range(0x0E, 0x20)) - {0x1B}) | {0x7F}
# Non-ASCII characters that are normal in Western text decoded as cp1252.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LETTERS = re.compile(r"[^\W\d_]")
_CP1252_PUNCT = set("\u00a0“”‘’‚„–—…•€£¥¢°±§¶©®™×÷«»¿¡·¹²³¼½¾µ†‡‰‹›")


def human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    raise AssertionError("unreachable")


#: What a path is when it is not a regular file or a folder (``stat.S_IFMT``).
_SPECIAL = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
            stat.S_IFBLK: "a block device"}


def stat_size(path: Path, max_bytes: int) -> int:
    """The file's size, after checking it exists, is a regular file and is under the limit."""
    try:
        st = path.stat()
    except FileNotFoundError:
        what = "broken symlink (its target does not exist)" if path.is_symlink() else "file not found"
        raise IngestError(path, what) from None
    except PermissionError:
        raise IngestError(path, "permission denied") from None
    except OSError as e:
        raise IngestError(path, f"cannot stat file ({_os_reason(e)})") from None
    if stat.S_ISDIR(st.st_mode):
        _check_folder(path)
        raise IngestError(path, "is a directory")
    if not stat.S_ISREG(st.st_mode):  # reading a FIFO would block, a device never ends
        raise IngestError(path, f"not a regular file: {_SPECIAL.get(stat.S_IFMT(st.st_mode), 'a special file')}")
    if st.st_size > max_bytes:
        raise FileTooLarge(
            path, f"{human_bytes(st.st_size)} exceeds the {human_bytes(max_bytes)} limit (ingest.max_bytes)"
        )
    return st.st_size


def _os_reason(e: OSError) -> str:
    """Why an OS call failed, in words (``strerror``), never with the path again."""
    return e.strerror or type(e).__name__


def _check_folder(path: Path) -> None:
    """A folder reaches ``read_path`` only when the walk could not list it: say why."""
    try:
        with os.scandir(path):
            pass
    except PermissionError:
        raise IngestError(path, "cannot read folder: permission denied") from None
    except OSError as e:
        raise IngestError(path, f"cannot read folder: {_os_reason(e)}") from None


def read_bytes(path: Path, max_bytes: int, limit: int | None = None) -> bytes:
    """Read at most ``limit`` bytes (default: all, bounded by max_bytes even if the file grew)."""
    want = max_bytes + 1 if limit is None else limit
    try:
        with open(path, "rb") as f:
            data = f.read(want)
    except PermissionError:
        raise IngestError(path, "permission denied") from None
    except OSError as e:
        raise IngestError(path, f"cannot read file ({_os_reason(e)})") from None
    if limit is None and len(data) > max_bytes:  # grew between stat and read
        raise FileTooLarge(path, f"file exceeds the {human_bytes(max_bytes)} limit (ingest.max_bytes)")
    if not data:
        raise EmptyDocument(path, "empty file (0 bytes)")
    return data


def _bom_encoding(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def looks_binary(head: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KB.  UTF-16/32 text with a BOM is not binary."""
    head = head[:SNIFF_BYTES]
    if not head or _bom_encoding(head) in ("utf-16", "utf-32"):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls / len(head) > MAX_CONTROL_RATIO


def check_text_bytes(path: Path, data: bytes) -> None:
    if looks_binary(data):
        raise BinaryFile(path, "binary file skipped")


def decode_text(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Bytes -> text, plus notes saying what had to be done (never content).

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM decode as is.  Otherwise:
    text that is UTF-8 with a few bad bytes keeps UTF-8 and replaces them; text
    that reads cleanly as cp1252 (the usual legacy encoding) is taken as such,
    because charset-normalizer guesses poorly on short Western text; anything
    else goes to charset-normalizer; when all fails, bad bytes are replaced.
    """
    bom = _bom_encoding(data)
    if bom:
        try:
            text = data.decode(bom)
            return _newlines(text), (() if bom == "utf-8-sig" else (f"decoded as {bom}",))
        except UnicodeDecodeError:
            pass
    try:
        return _newlines(data.decode("utf-8")), ()
    except UnicodeDecodeError:
        pass

    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    good_non_ascii = len(_NON_ASCII.findall(replaced)) - bad
    if good_non_ascii > bad:
        return _newlines(replaced), (f"{bad} invalid UTF-8 byte sequence(s) replaced",)

    cp1252 = _try_cp1252(data)
    if cp1252 is not None:
        return _newlines(cp1252), ("decoded as cp1252",)

    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        try:
            return _newlines(data.decode(best.encoding)), (f"decoded as {best.encoding}",)
        except (UnicodeDecodeError, LookupError):
            pass
    return _newlines(replaced), (f"{bad} invalid UTF-8 byte sequence(s) replaced",)


def _try_cp1252(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = _NON_ASCII.findall(text)
    letters = len(_LETTERS.findall(text))
    if not non_ascii or not letters:
        return None
    if any(not ch.isalpha() and ch not in _CP1252_PUNCT for ch in set(non_ascii)):
        return None
    # Western text has a few accented letters among mostly ASCII; Cyrillic or Greek
    # misread as cp1252 is almost all non-ASCII.
    return text if len(non_ascii) / letters < 0.3 else None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def require_text(path: Path, text: str, what: str = "only whitespace") -> str:
    if not text.strip():
        raise EmptyDocument(path, what)
    return text


def check_zip(path: Path, data: bytes, max_bytes: int) -> None:
    """Refuse a zip container that is not a zip, or would inflate far beyond its size.

    Declared sizes are trustworthy enough here: ``zipfile`` never inflates a
    member past its declared size (it fails the CRC check instead).
    """
    if not zipfile.is_zipfile(BytesIO(data)):
        raise CorruptDocument(path, "not a zip container")
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as e:
        raise CorruptDocument(path, f"unreadable zip container ({type(e).__name__})") from None
    if len(infos) > ZIP_MAX_MEMBERS:
        raise CorruptDocument(path, f"zip bomb suspected: {len(infos)} members")
    total_limit = min(max(10 * max_bytes, ZIP_TOTAL_FLOOR), ZIP_MAX_TOTAL)
    total = sum(i.file_size for i in infos)
    if total > total_limit:
        raise CorruptDocument(
            path, f"zip bomb suspected: {human_bytes(total)} uncompressed, limit {human_bytes(total_limit)}"
        )
    for info in infos:
        if info.file_size >= ZIP_RATIO_MIN_MEMBER and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise CorruptDocument(path, f"zip bomb suspected: a member compresses {ratio}:1")


def file_suffix(path: Path) -> str:
    return os.path.splitext(path.name)[1].lower()
