"""The gateway in a uvicorn thread on 127.0.0.1 (random port), for tests and benchmarks.

    with GatewayServer(gateway) as gw:
        client = openai.OpenAI(base_url=gw.base_url, api_key="anything")
"""

from __future__ import annotations

import socket
import threading
import time


class GatewayServer:
    def __init__(self, gateway) -> None:
        import uvicorn

        from redactor.serve.http import HTTP_PROTOCOL

        self.gateway = gateway
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        # the protocol `redactor serve` uses: this socket (proto 0) would otherwise keep Nagle on
        config = uvicorn.Config(gateway.app, log_level="warning", access_log=False, lifespan="on", http=HTTP_PROTOCOL)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def start(self) -> "GatewayServer":
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True,
                                        name="gateway")
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the gateway did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._sock.close()

    def __enter__(self) -> "GatewayServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
