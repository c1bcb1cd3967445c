"""``redactor serve``: an OpenAI-compatible privacy gateway on the same pipeline as ``redactor run``.

Applications change one setting, their base URL, and every request they make
is scanned as one conversation, routed by policy (clean → the configured
upstream, redactable → pseudonymised there and re-identified on the way back,
sensitive → the in-process local model, block → 403), and recorded as one
record in the same hash-chained audit trail.

Modules, in the order a request meets them:

- ``app.py``: the Starlette application; endpoints, headers, error mapping.
- ``keys.py``: gateway keys (hashed under ``REDACTOR_HOME``) and their policies.
- ``limits.py``: per-key rate and concurrency limits, the bounded local queue.
- ``conversation.py``: every text of a request scanned and routed as one conversation.
- ``scancache.py``: scan results by content hash, bounded, in memory only; the leak guard's
  verdicts (a pseudonymised text is rescanned near its placeholders only: ``detect/rescan.py``).
- ``upstream.py``: the OpenAI-compatible upstream through the ``openai`` SDK.
- ``restore_stream.py``: SSE parsing and streaming re-identification.
- ``local.py``: the local model behind a bounded queue, streaming and embeddings.
- ``requests.py``: one request's context, its error body and outcome, and its audit record.
- ``metrics.py``: Prometheus text exposition (counts and latencies, never values).

Starlette and uvicorn are imported only here: ``redactor --help`` stays fast.
"""
