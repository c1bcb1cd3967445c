"""Who may call the gateway: browser origins (CORS), gateway keys, each key's policy.

A request with an ``Origin`` header is refused unless that origin was allowed; when keys
exist (always, off loopback) a request needs an active key.  The client's ``Authorization``
header is read here and never forwarded.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..policy import Policy, load_policy
from .errors import GatewayError
from .keys import LOOPBACK, GatewayKey, KeyStore
from .requests import Ctx

EXPOSED_HEADERS = "x-request-id, x-redactor-route, x-redactor-decision, x-redactor-policy, x-redactor-entities"


class Access:
    def __init__(self, keys: KeyStore, host: str, allow_origins: list[str], policy: Policy) -> None:
        self.keys = keys
        self.allow_origins = allow_origins
        self.policy = policy
        self.require_keys = bool(keys.active()) or host not in LOOPBACK
        self._policies: dict[str, Policy] = {}

    # -- browsers -------------------------------------------------------------

    def check_origin(self, request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is not None and origin not in self.allow_origins:
            raise GatewayError(403, "origin_not_allowed", "browser requests from this origin are not allowed "
                               "(start the gateway with --allow-origin to allow one)")

    def preflight(self, request: Request) -> Response:
        return self.cors(request, Response(status_code=204, headers={
            "access-control-allow-methods": "GET, POST, OPTIONS",
            "access-control-allow-headers": "authorization, content-type",
            "access-control-max-age": "600"}))

    def cors(self, request: Request, response: Response) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin in self.allow_origins:
            response.headers["access-control-allow-origin"] = origin
            response.headers["access-control-expose-headers"] = EXPOSED_HEADERS
            response.headers["vary"] = "origin"
        return response

    # -- keys -----------------------------------------------------------------

    @staticmethod
    def _secret(request: Request) -> str:
        auth = request.headers.get("authorization", "")
        return auth[7:].strip() if auth[:7].lower() == "bearer " else ""

    def identify(self, request: Request) -> GatewayKey | None:
        """The stored key (revoked or not) the request presents, if any; never raises."""
        secret = self._secret(request)
        try:
            return self.keys.find(secret) if secret else None
        except Exception:
            return None

    def authenticate(self, request: Request, ctx: Ctx) -> GatewayKey | None:
        """The request's active key (None when keys are not required), or ``GatewayError`` 401
        (a revoked key's id still goes on the record: ``ctx.key``)."""
        secret = self._secret(request)
        key = self.keys.find(secret) if secret else None
        if key is not None and key.active:
            return key
        if self.require_keys or self.keys.active():
            ctx.key = key
            detail = "missing" if not secret else "revoked" if key is not None else "unknown"
            raise GatewayError(401, "invalid_api_key", "a valid gateway key is required (Authorization: Bearer <key>)"
                               if detail != "revoked" else "this gateway key was revoked", detail=detail)
        return None

    def policy_for(self, key: GatewayKey | None) -> Policy:
        if key is None or not key.policy:
            return self.policy
        if key.policy not in self._policies:
            self._policies[key.policy] = load_policy(key.policy)
        return self._policies[key.policy]
