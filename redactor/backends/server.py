"""Optional: a local OpenAI-compatible llama.cpp server instead of the in-process model.

Sensitive text goes here, so the endpoint must be on this machine: a loopback
address (127.0.0.0/8, ::1, ``localhost``) or a host the operator listed in
``local.allowed_hosts``.  Anything else is ``EndpointNotAllowed``.  The cloud
API key is never sent: the server gets its own key or a dummy one.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ..config import LocalSettings
from ..errors import EndpointNotAllowed, LocalModelError
from .cloud import NO_KEY
from .openai_compat import OpenAICompatibleBackend, RetryPolicy


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def check_local_endpoint(url: str, allowed_hosts: list[str]) -> str:
    """Return the host of ``url`` if sensitive text may go there, else raise ``EndpointNotAllowed``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointNotAllowed("local.server_url must be an http(s) URL with a host")
    host = parts.hostname.lower()
    if is_loopback(host) or host in {h.lower() for h in allowed_hosts}:
        return host
    raise EndpointNotAllowed(
        f"local server host {host!r} is not loopback and not in local.allowed_hosts; "
        "sensitive text may only go to this machine or an allow-listed host"
    )


class LocalServerBackend(OpenAICompatibleBackend):
    """``complete()`` against ``settings.server_url`` (e.g. ``http://127.0.0.1:8080/v1``).

    ``api_key`` is the server's own key, if it wants one; it is never taken
    from the cloud settings or ``OPENAI_API_KEY``.
    """

    def __init__(
        self, settings: LocalSettings, *, api_key: str | None = None, retry: RetryPolicy | None = None
    ) -> None:
        if not settings.server_url:
            raise EndpointNotAllowed("local.server_url is not set")
        check_local_endpoint(settings.server_url, settings.allowed_hosts)
        super().__init__(
            name="local_server",
            base_url=settings.server_url,
            api_key=api_key or NO_KEY,
            model=settings.model,
            timeout_s=300.0,  # local models are slow; this is a hang guard, not a budget
            retry=retry or RetryPolicy(max_retries=1),
            error=LocalModelError,
            context_tokens=settings.n_ctx,
            temperature=settings.temperature,
        )
