"""The OpenAI endpoints the gateway serves, each as one request shape: read its texts into slots
(``conversation.py``), route them as one conversation, then answer locally or through the
upstream (the dispatch and the request's record are the ``Gateway``'s, in ``app.py``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.responses import JSONResponse, Response

from ..policy import Route
from ..prepare import unmasked
from ..transforms import transform_of
from . import answers
from .conversation import chat_slots, completion_slots, embedding_slots, response_slots, write_back
from .errors import BadRequest, GatewayError
from .fields import MODEL_NAME
from .local import LOCAL_PREFIX, chat_messages, response_messages
from .requests import Ctx

STATELESS_FIELDS = {
    "previous_response_id": "the gateway is stateless: previous_response_id would make the upstream keep the conversation",
    "conversation": "the gateway is stateless: conversation would make the upstream keep the conversation",
    "background": "the gateway is stateless: background responses are stored by the upstream",
}


class Endpoints:
    """The endpoint handlers of ``Gateway`` (a mixin: they use its routing and dispatch)."""

    @staticmethod
    def _model(body: dict[str, Any]) -> str:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise BadRequest("model is required")
        if not MODEL_NAME.fullmatch(model):  # it goes upstream and into the audit trail unscanned
            raise BadRequest("model must be a model name (letters, digits and . _ : / -)")
        return model

    def _max_tokens(self, body: dict[str, Any]) -> int:
        value = body.get("max_completion_tokens") or body.get("max_tokens") or body.get("max_output_tokens")
        return int(value) if isinstance(value, int) and value > 0 else self.options.local_max_tokens

    @staticmethod
    def _n(body: dict[str, Any]) -> int:
        n = body.get("n", 1)
        if n is None:
            return 1
        if not isinstance(n, int) or not 1 <= n <= 16:
            raise BadRequest("n must be an integer from 1 to 16")
        return n

    async def _chat(self, ctx: Ctx, body: dict[str, Any]) -> Response:
        model = self._model(body)
        ctx.stream = body.get("stream") is True
        n = self._n(body)
        routed = await self._route(ctx, chat_slots(body), force_local=_requested_local(model))
        local = partial(self._local, ctx, "chat", chat_messages(body), self._max_tokens(body), n)
        if routed.route is Route.LOCAL:
            return await local()
        out = write_back(body, routed.slots, routed.outgoing or [])
        if routed.mapping is not None and len(routed.mapping):
            note = transform_of(ctx.policy or self.policy).model_note()
            out["messages"] = [{"role": "system", "content": note}] + out["messages"]
        return await self._cloud_or_local(ctx, self._cloud(ctx, "chat", out, routed.mapping, answers.restore_chat), local)

    async def _completions(self, ctx: Ctx, body: dict[str, Any]) -> Response:
        model = self._model(body)
        ctx.stream = body.get("stream") is True
        n = self._n(body)
        routed = await self._route(ctx, completion_slots(body), force_local=_requested_local(model))
        prompt = body["prompt"] if isinstance(body["prompt"], str) else "\n".join(body["prompt"])
        local = partial(self._local, ctx, "completions", [{"role": "user", "content": prompt}], self._max_tokens(body), n)
        if routed.route is Route.LOCAL:
            return await local()
        out = write_back(body, routed.slots, routed.outgoing or [])
        return await self._cloud_or_local(
            ctx, self._cloud(ctx, "completions", out, routed.mapping, answers.restore_completion), local)

    async def _responses(self, ctx: Ctx, body: dict[str, Any]) -> Response:
        for name, why in STATELESS_FIELDS.items():
            if body.get(name) not in (None, False):
                raise GatewayError(400, "stateful_request", f"{name}: {why}")
        if body.get("store") is True:
            raise GatewayError(400, "stateful_request", "store=true: the gateway is stateless and forces store=false")
        model = self._model(body)
        ctx.stream = body.get("stream") is True
        routed = await self._route(ctx, response_slots(body), force_local=_requested_local(model))
        local = partial(self._local_responses, ctx, response_messages(body), self._max_tokens(body))
        if routed.route is Route.LOCAL:
            return await local()
        out = write_back(body, routed.slots, routed.outgoing or [])
        out["store"] = False
        if routed.mapping is not None and len(routed.mapping):
            note = transform_of(ctx.policy or self.policy).model_note()
            out["instructions"] = (note + "\n\n" + (out.get("instructions") or "")).strip()
        return await self._cloud_or_local(
            ctx, self._cloud(ctx, "responses", out, routed.mapping, answers.restore_response, responses=True), local)

    async def _local_responses(self, ctx: Ctx, messages: list, max_tokens: int) -> Response:
        if ctx.stream:
            return await self._local(ctx, "responses", messages, max_tokens, 1)
        self._admit_local(ctx)
        completion = await self.local.complete(messages, max_tokens)
        self._local_meta(ctx, [completion])
        return JSONResponse(answers.local_response(ctx.id, self.local.model_name, completion))

    async def _embeddings(self, ctx: Ctx, body: dict[str, Any]) -> Response:
        """Vectors of the upstream's model and of the local one are not interchangeable, so the
        route never switches silently: all local (``gateway.embeddings = "local"``, or no upstream),
        local when asked for by name (``local/…``), else clean input → the upstream and input the
        policy would not send as it is → 422 ``embedding_input_kept_local`` (never masked either:
        placeholders change the vectors)."""
        model = self._model(body)
        slots = embedding_slots(body)
        all_local = self.settings.gateway.embeddings == "local" or self.upstream is None
        asked = _requested_local(model) or ("gateway-embeddings-local" if all_local else "")
        routed = await self._route(ctx, slots, force_local=asked)
        if routed.route is Route.CLOUD and self.upstream is not None:
            return await self._cloud(ctx, "embeddings", body, None, lambda data, mapping: None)
        if not asked:
            rules = ", ".join(routed.decision.rule_ids)
            routed.decision = unmasked(routed.decision, "embeddings-not-switched")
            raise GatewayError(422, "embedding_input_kept_local", "this input holds data the policy does not let "
                               f"leave as it is ({rules}), and the local model's "
                               "vectors are not interchangeable with the upstream's: ask for model "
                               f"'{self.local.model_name}' to embed it locally, or configure "
                               "gateway.embeddings = \"local\"")
        self._admit_local(ctx)  # asked for: reroute() already sent any cloud route local
        ctx.backend, ctx.host, ctx.model = "local", "in-process", self.local.model_name
        data = await self.local.embed([s.text for s in slots])
        ctx.usage(data.get("usage"))
        return JSONResponse(data)


def _requested_local(model: str) -> str:
    """A ``local/…`` model name asks for the local route: the reason it is forced, else ""."""
    return "client-requested-local" if model.startswith(LOCAL_PREFIX) else ""
