"""A real HTTP server speaking the Anthropic Messages API shape, on 127.0.0.1.

The Anthropic SDK is pointed at it with ``base_url``/``ANTHROPIC_BASE_URL``. It answers
from the numbered passages it is sent, so tests can see the prompt was grounded.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_FIRST_PASSAGE = re.compile(r"\[1\] \([^)]*\)\n([^\n]+)")


class FakeAnthropic:
    """``mode``: "ok", "error" (HTTP 500) or "hang" (sleeps ``hang_seconds``)."""

    def __init__(self, api_key: str, delay: float = 0.0) -> None:
        self.api_key = api_key
        self.delay = delay
        self.mode = "ok"
        self.hang_seconds = 5.0
        self.calls = 0
        self.requests: list[dict[str, Any]] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeAnthropic:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop like a killed process: refuse new connections and drop open ones."""
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _record(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.calls += 1
            self.requests.append(body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm
            # and the client's delayed ACK would add ~40 ms to every answer.
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._lock:
                    fake._connections.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/messages":
                    self._send(404, {"type": "error", "error": {"type": "not_found_error",
                                                                "message": self.path}})
                    return
                # The SDK sends the key as x-api-key or, in newer versions, as a bearer token.
                bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
                if fake.api_key not in (self.headers.get("x-api-key"), bearer):
                    self._send(401, {"type": "error", "error": {
                        "type": "authentication_error", "message": "invalid x-api-key"}})
                    return
                fake._record(body)
                if fake.mode == "hang":
                    time.sleep(fake.hang_seconds)
                if fake.mode == "error":
                    self._send(500, {"type": "error", "error": {"type": "api_error",
                                                                "message": "boom"}})
                    return
                if fake.delay:
                    time.sleep(fake.delay)
                prompt = body["messages"][-1]["content"]
                match = _FIRST_PASSAGE.search(prompt)
                first = match.group(1) if match else "no passages"
                text = f"From the knowledge base: {first[:200]} [1]"
                self._send(200, {
                    "id": f"msg_{uuid.uuid4().hex}",
                    "type": "message",
                    "role": "assistant",
                    "model": body.get("model"),
                    "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": len(prompt) // 4, "output_tokens": len(text) // 4},
                })

        return Handler


def main() -> None:
    """Run the fake on its own (the load benchmark starts it in a separate process)."""
    import argparse

    parser = argparse.ArgumentParser(description="fake Anthropic Messages API on 127.0.0.1")
    parser.add_argument("--key", required=True)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--port-file", required=True, help="write the chosen port here")
    args = parser.parse_args()
    server = FakeAnthropic(args.key, delay=args.delay)
    with open(args.port_file, "w") as out:
        out.write(str(server.port))
    server._server.serve_forever()


if __name__ == "__main__":
    main()
