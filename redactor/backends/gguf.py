"""What a GGUF file says about itself, read from its header without loading it.

``read_gguf_info(path)`` parses the key/value metadata at the start of a GGUF
file (format versions 2 and 3, little-endian) in pure Python: the
architecture, context length, quantisation, whether there is a chat template,
and the shapes needed to estimate the KV cache.  Reading stops after the
metadata, so a multi-gigabyte model costs a few kilobytes of I/O, and a file
that is not a GGUF is a ``LocalModelError`` here rather than a crash inside
llama.cpp.  Arrays (the vocabulary) are skipped, never materialised.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import LocalModelError

MAGIC = b"GGUF"
# Value types of the GGUF spec: fixed-size scalars by struct code, then string, array.
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9
#: Guards against a corrupt header asking us to read gigabytes of "metadata".
_MAX_STRING = 64 * 1024 * 1024
_MAX_KEYS = 100_000

#: ``general.file_type`` (llama.cpp's ``llama_ftype``) as the names llama.cpp prints.
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
    18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S",
    25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
    32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}


@dataclass(frozen=True)
class GGUFInfo:
    """The facts redactor needs about a GGUF file (``metadata`` holds every scalar key)."""

    path: Path
    size: int
    architecture: str
    name: str
    quant: str
    context_length: int
    has_chat_template: bool
    block_count: int
    embedding_length: int
    head_count: int
    head_count_kv: int
    tensor_count: int
    metadata: dict[str, Any]

    def kv_cache_bytes(self, n_ctx: int) -> int:
        """The f16 K and V caches for ``n_ctx`` tokens (grouped-query attention included)."""
        if not (self.block_count and self.embedding_length):
            return 0
        kv_width = self.embedding_length * self.head_count_kv // max(1, self.head_count)
        return 2 * 2 * n_ctx * self.block_count * kv_width

    def memory_bytes(self, n_ctx: int) -> int:
        """What one loaded copy needs, roughly: the weights, the KV cache, and compute buffers."""
        return self.size + self.kv_cache_bytes(n_ctx) + 64 * 1024 * 1024


def read_gguf_info(path: Path | str) -> GGUFInfo:
    """Parse ``path``'s GGUF header; a file that is not a readable GGUF is a ``LocalModelError``."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            if f.read(4) != MAGIC:
                raise LocalModelError(f"{path.name} is not a GGUF file (no GGUF magic number)")
            version, tensor_count, kv_count = struct.unpack("<IQQ", _exact(f, 20))
            if version not in (2, 3):
                raise LocalModelError(f"{path.name}: GGUF version {version} is not supported (2 or 3)")
            if kv_count > _MAX_KEYS:
                raise LocalModelError(f"{path.name}: corrupt GGUF header ({kv_count} metadata keys)")
            meta: dict[str, Any] = {}
            for _ in range(kv_count):
                key = _string(f)
                meta[key] = _value(f, struct.unpack("<I", _exact(f, 4))[0])
        size = path.stat().st_size
    except OSError as e:
        raise LocalModelError(f"cannot read {path.name} ({type(e).__name__})") from None
    except (struct.error, UnicodeDecodeError, ValueError):
        raise LocalModelError(f"{path.name}: corrupt or truncated GGUF header") from None
    arch = str(meta.get("general.architecture", ""))

    def arch_int(key: str) -> int:
        value = meta.get(f"{arch}.{key}", 0)
        return int(value) if isinstance(value, (int, float)) else 0

    file_type = meta.get("general.file_type")
    quant = FILE_TYPES.get(file_type, f"type {file_type}") if isinstance(file_type, int) else "unknown"
    head_count = arch_int("attention.head_count")
    return GGUFInfo(
        path=path, size=size, architecture=arch, name=str(meta.get("general.name", "")), quant=quant,
        context_length=arch_int("context_length"),
        has_chat_template=bool(meta.get("tokenizer.chat_template")),
        block_count=arch_int("block_count"), embedding_length=arch_int("embedding_length"),
        head_count=head_count, head_count_kv=arch_int("attention.head_count_kv") or head_count,
        tensor_count=tensor_count, metadata=meta,
    )


def _exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise ValueError("truncated")
    return data


def _string(f: BinaryIO) -> str:
    (n,) = struct.unpack("<Q", _exact(f, 8))
    if n > _MAX_STRING:
        raise ValueError("string too long")
    return _exact(f, n).decode("utf-8")


def _value(f: BinaryIO, vtype: int) -> Any:
    if vtype in _SCALARS:
        code = _SCALARS[vtype]
        return struct.unpack("<" + code, _exact(f, struct.calcsize(code)))[0]
    if vtype == _STRING:
        return _string(f)
    if vtype == _ARRAY:
        (item_type,), (count,) = struct.unpack("<I", _exact(f, 4)), struct.unpack("<Q", _exact(f, 8))
        if item_type in _SCALARS:  # skipped in one seek: vocabularies are large
            f.seek(count * struct.calcsize(_SCALARS[item_type]), 1)
        else:
            for _ in range(count):
                _value(f, item_type)
        return _Skipped(count)
    raise ValueError(f"unknown GGUF value type {vtype}")


@dataclass(frozen=True)
class _Skipped:
    """An array we did not read (its length only)."""

    length: int
