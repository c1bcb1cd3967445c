"""The schema of recognizer packs and reading them: which entries, which types, which
categories, without building a recognizer.

Light on purpose (pydantic, YAML, ``regex``; no Presidio, no spaCy), so ``redactor
policy check`` can learn every entity type the packs define in a blink.
``packs.py`` builds recognizers from these entries; ``recognizers/README.md``
documents the fields for editors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..config import resource_dir
from ..errors import PackError
from .validators import VALIDATORS

if TYPE_CHECKING:
    from ..config import DetectSettings

Category = Literal["PII", "FINANCIAL", "HEALTH", "CREDENTIAL", "GENERAL", "OTHER"]

__all__ = [
    "Category", "PatternSpec", "RecognizerSpec", "PackSpec", "default_pack_paths", "pack_paths",
    "read_pack_specs", "pack_categories", "checksum_types",
]


# -- schema ----------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatternSpec(_Strict):
    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    score: float = Field(ge=0.0, le=1.0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            regex.compile(value)
        except regex.error as e:
            raise ValueError(f"invalid regex: {e}") from None
        return value


class RecognizerSpec(_Strict):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    entity_type: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    category: Category
    description: str = ""
    enabled: bool = True
    language: str = "en"
    patterns: list[PatternSpec] = Field(default_factory=list)
    lexicon: str | None = None
    lexicon_score: float = Field(0.75, ge=0.0, le=1.0)
    validator: str | None = None
    invalid_score: float | None = Field(None, ge=0.0, le=1.0)
    context: list[str] = Field(default_factory=list)
    context_required: bool = False
    context_window: int = Field(40, ge=1, le=1000)
    context_after: int | None = Field(None, ge=0, le=1000)
    context_boost: float = Field(0.0, ge=0.0, le=1.0)

    @field_validator("validator")
    @classmethod
    def _known_validator(cls, value: str | None) -> str | None:
        if value is not None and value not in VALIDATORS:
            raise ValueError(f"unknown validator {value!r}; known: {', '.join(sorted(VALIDATORS))}")
        return value

    @field_validator("lexicon")
    @classmethod
    def _plain_file_name(cls, value: str | None) -> str | None:
        if value is not None and (not value or "/" in value or "\\" in value or value.startswith(".")):
            raise ValueError("must be a file name in the pack's lexicons/ folder")
        return value

    @field_validator("context")
    @classmethod
    def _no_blank_words(cls, value: list[str]) -> list[str]:
        if any(not w.strip() for w in value):
            raise ValueError("context words must not be blank")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "RecognizerSpec":
        if bool(self.patterns) == bool(self.lexicon):
            raise ValueError("give either patterns or lexicon (exactly one)")
        if self.context_required and not self.context:
            raise ValueError("context_required needs context words")
        if self.lexicon and (self.validator or self.invalid_score is not None):
            raise ValueError("validator and invalid_score apply to patterns, not to a lexicon")
        return self


class PackSpec(_Strict):
    version: Literal[1] = 1
    description: str = ""
    recognizers: list[RecognizerSpec]


# -- reading ---------------------------------------------------------------------------


def default_pack_paths() -> list[Path]:
    return [resource_dir("recognizers")]


def pack_paths(settings: "DetectSettings") -> list[Path]:
    """The pack files and folders ``settings`` configure: the shipped ones (unless
    ``use_default_packs`` is off), then ``packs``."""
    paths = list(default_pack_paths()) if settings.use_default_packs else []
    return paths + [Path(p) for p in settings.packs]


def _pack_files(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        elif p.is_file():
            files.append(p)
        else:
            raise PackError(f"{p}: recognizer pack not found")
    return files


def _where(loc: tuple, raw: object) -> str:
    """``recognizers[2] (credit_card).patterns[0].regex`` from a pydantic location."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                label += f" ({node['name']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(root)"


def _read_pack(path: Path) -> PackSpec:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise PackError(f"{path}: cannot read pack: {e.strerror}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = f": {e.problem}" if getattr(e, "problem", None) else ""
        raise PackError(f"{path}: invalid YAML{where}{problem}") from None
    if not isinstance(raw, dict):
        raise PackError(f"{path}: a pack must be a mapping with a 'recognizers' list")
    try:
        pack = PackSpec.model_validate(raw)
    except ValidationError as e:
        problems = "; ".join(f"{_where(err['loc'], raw)}: {err['msg']}" for err in e.errors())
        raise PackError(f"{path}: {problems}") from None
    names = [r.name for r in pack.recognizers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PackError(f"{path}: recognizers.name: duplicate name(s) {', '.join(duplicates)}")
    return pack


def read_pack_specs(paths: Iterable[Path | str]) -> list[tuple[Path, RecognizerSpec]]:
    """The recognizer entries of pack files and folders (``*.yaml`` in sorted order),
    validated but not built: no lexicon is read, no regex run.

    A later entry with the same ``name`` replaces an earlier one, so a site pack can
    override or disable (``enabled: false``) a shipped recognizer."""
    chosen: dict[str, tuple[Path, RecognizerSpec]] = {}
    for pack_file in _pack_files(paths):
        for spec in _read_pack(pack_file).recognizers:
            chosen.pop(spec.name, None)
            chosen[spec.name] = (pack_file, spec)
    return list(chosen.values())


def pack_categories(specs: Iterable[tuple[Path, RecognizerSpec]]) -> dict[str, str]:
    """The category of every entity type the entries declare (disabled ones too)."""
    categories: dict[str, str] = {}
    for pack_file, spec in specs:
        known = categories.setdefault(spec.entity_type, spec.category)
        if known != spec.category:
            raise PackError(
                f"{pack_file}: recognizer {spec.name}: category: {spec.entity_type} is {spec.category} here "
                f"but {known} in another entry"
            )
    return dict(sorted(categories.items()))


def checksum_types(specs: Iterable[tuple[Path, RecognizerSpec]]) -> frozenset[str]:
    """Entity types that an enabled entry confirms by a checksum (its ``validator``)."""
    return frozenset(spec.entity_type for _, spec in specs if spec.enabled and spec.validator)
