"""redactor works with no network at all.

Presidio's e-mail recognizer validates domains with tldextract, whose default
extractor fetches the public suffix list over the network.  These tests run a
fresh interpreter in which every socket operation raises, then load the
scanner and scan documents full of e-mail addresses and URLs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from conftest import SAMPLE_DOCS

NO_SOCKETS = textwrap.dedent(
    """
    import socket
    class NetworkForbidden(RuntimeError):
        pass
    def forbid(*a, **k):
        raise NetworkForbidden("network access attempted")
    socket.socket.connect = forbid
    socket.socket.connect_ex = forbid
    socket.socket.sendto = forbid
    socket.create_connection = forbid
    socket.getaddrinfo = forbid
    socket.gethostbyname = forbid
    """
)


def run_offline(body: str, tmp_path) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a fresh interpreter with sockets forbidden and empty caches
    (an empty tldextract cache is what makes the stock extractor go online)."""
    code = NO_SOCKETS + textwrap.dedent(body)
    env = dict(os.environ, HOME=str(tmp_path), TLDEXTRACT_CACHE=str(tmp_path / "tldextract"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)


def test_the_guard_itself_works(tmp_path):
    """Without redactor's offline extractor, tldextract really does try the network here."""
    proc = run_offline(
        """
        import tldextract
        tldextract.extract("a.example.co.uk")
        """,
        tmp_path,
    )
    assert proc.returncode != 0 and "NetworkForbidden" in proc.stderr


def test_scanning_emails_and_urls_needs_no_network(tmp_path):
    proc = run_offline(
        """
        import json
        from redactor import Scanner
        texts = [
            "Write to jane.doe@example.co.uk or visit https://portal.example.com/help?id=7.",
            "Contact: MinikJeremiassen@gustr.com, www.fleckens.hu, http://192.0.2.10/x",
        ]
        out = [sorted({f.entity_type for f in r.findings}) for r in Scanner().scan_many(texts)]
        print(json.dumps(out))
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    first, second = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "EMAIL_ADDRESS" in first and "URL" in first
    assert "EMAIL_ADDRESS" in second
    assert "network access attempted" not in proc.stderr


def test_cli_scan_of_sample_docs_needs_no_network(tmp_path):
    proc = run_offline(
        f"""
        import sys
        from redactor.cli.main import cli
        sys.argv = ["redactor", "scan", "--json", {str(SAMPLE_DOCS)!r}]
        try:
            cli(prog_name="redactor")
        except SystemExit as e:
            sys.exit(e.code)
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert len(data["documents"]) > 20
    assert any("EMAIL_ADDRESS" in d["entities"] for d in data["documents"])
