"""Ingest: files and ETL values in, ``Document``s out.

One reader per format (``text``, ``tabular``, ``mail``, ``office``), the guards
every input passes (``guards``), the dispatcher (``readers``) and the folder
walk (``walk``).
"""

from __future__ import annotations

from .document import Document
from .readers import SUPPORTED_SUFFIXES, iter_documents, read_path, read_text
from .walk import iter_inputs

__all__ = ["SUPPORTED_SUFFIXES", "Document", "iter_documents", "iter_inputs", "read_path", "read_text"]
