"""Local HTTP receivers standing in for webhook endpoints and an SMS provider."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fixtures import serving_in_thread


class Receiver:
    """Records every POST; the paths in `failures` answer 500 that many times first."""

    def __init__(self, failures: dict[str, int] | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.failures = dict(failures or {})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.failures.get(self.path, 0) > 0:
                    receiver.failures[self.path] -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.received.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "json": json.loads(body or b"null"),
                    }
                )
                self.send_response(204)
                self.end_headers()

        return Handler

    def bodies(self, path: str) -> list[Any]:
        return [item["json"] for item in self.received if item["path"] == path]


@contextmanager
def running_receiver(failures: dict[str, int] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(failures)
    with serving_in_thread(receiver.server):
        yield receiver
