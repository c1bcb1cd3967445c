"""redactor: scan documents for sensitive data and route them between a cloud LLM and a local one.

The public API is what ``__all__`` lists; ``tests/test_public_api.py`` pins it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
