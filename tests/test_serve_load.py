"""A bounded load test: 50 concurrent clients against the gateway with a fast upstream.

No errors, every request audited once, and no value in the upstream's recording.
The duration is ``GATEWAY_LOAD_SECONDS`` (default 30 s, as the gateway's issue asks;
set less for a quick local run).
"""

from __future__ import annotations

import asyncio
import os
import time

import openai
import pytest

pytestmark = pytest.mark.slow

CLIENTS = 50
PEOPLE = [("Dana Whitfield", "dana.whitfield@example.com"), ("Marcus Oyelaran", "m.oyelaran@example.org"),
          ("Priya Raghunathan", "priya.r@example.net"), ("Tomasz Wielgosz", "tomasz.w@example.com")]


def test_fifty_concurrent_clients(gateway, openai_server):
    from redactor.serve.app import GatewayOptions

    seconds = float(os.environ.get("GATEWAY_LOAD_SECONDS", "30"))
    gw = gateway(options=GatewayOptions(scan_timeout_s=120))
    errors: list[str] = []
    done = [0]

    async def one_client(i: int, c: openai.AsyncOpenAI, stop: float) -> None:
        name, email = PEOPLE[i % len(PEOPLE)]
        history = [{"role": "system", "content": "You are a helpful assistant."}]
        k = 0
        while time.monotonic() < stop:
            k += 1
            history.append({"role": "user", "content": f"Request {i}-{k}: please email {name} at {email} today."})
            try:
                stream = k % 2 == 0
                if stream:
                    text = "".join([ch.choices[0].delta.content or "" async for ch in
                                    await c.chat.completions.create(model="gpt-4o-mini", messages=history, stream=True)
                                    if ch.choices])
                else:
                    r = await c.chat.completions.create(model="gpt-4o-mini", messages=history)
                    text = r.choices[0].message.content
                if name not in text:
                    errors.append(f"client {i}: answer not restored")
                history.append({"role": "assistant", "content": text})
                history = history[:1] + history[-6:]  # a sliding window, as chat front-ends keep
                done[0] += 1
            except Exception as e:  # every failure counts; keep only its class
                errors.append(f"client {i}: {type(e).__name__}")

    async def run() -> None:
        stop = time.monotonic() + seconds
        async with openai.AsyncOpenAI(base_url=gw.base_url, api_key="x", max_retries=0, timeout=120) as c:
            await asyncio.gather(*[one_client(i, c, stop) for i in range(CLIENTS)])

    asyncio.run(run())
    assert errors == []
    print(f"{done[0]} requests from {CLIENTS} clients in {seconds:.0f} s, no errors")
    assert done[0] >= CLIENTS
    for name, email in PEOPLE:
        assert not openai_server.sent_anywhere(name) and not openai_server.sent_anywhere(email)
        assert not openai_server.sent_anywhere(name.split()[1])
    trail = gw.gateway.audit
    assert trail.count() == done[0] and trail.verify().ok
