"""A Docker engine that answers but builds nothing (test equipment): enough of the Engine API on loopback for
community.docker.docker_host_info to say "an engine answers", as on most laptops. Any other call fails
(HTTP 501), so a playbook that tries to build or push with it fails, which is what a test of "nothing to
build" wants to see.

    with FakeDockerEngine() as engine:
        env["DOCKER_HOST"] = engine.url
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "1.41"


class _Handler(BaseHTTPRequestHandler):
    def _send(self, code: int, body) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - the http.server interface
        path = self.path.split("?")[0]
        self.server.calls.append(f"GET {path}")
        if path.endswith("/_ping"):
            return self._send(200, "OK")
        if path.endswith("/version"):
            return self._send(200, {"Version": "20.10.24", "ApiVersion": API_VERSION, "MinAPIVersion": "1.12",
                                    "Os": "linux", "Arch": "amd64"})
        if path.endswith("/info"):
            return self._send(200, {"ID": "fake", "Containers": 0, "Images": 0, "ServerVersion": "20.10.24",
                                    "OperatingSystem": "test equipment", "Architecture": "x86_64"})
        return self._send(501, {"message": f"the fake engine does not do {path}"})

    def do_POST(self):  # noqa: N802
        self.server.calls.append(f"POST {self.path.split('?')[0]}")
        return self._send(501, {"message": "the fake engine builds and pushes nothing"})

    def log_message(self, *args):
        pass


class FakeDockerEngine:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.calls = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.server.server_address[1]}"

    @property
    def calls(self) -> list[str]:
        return list(self.server.calls)

    def __enter__(self) -> FakeDockerEngine:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
