"""An OGC API - Processes server that does nothing, for `bench/jobs.py --ceiling`.

Every POST is answered as an accepted job that already succeeded (201, `Location`, a
finished statusInfo) and every GET with that statusInfo, without reading the request or
touching a database. What `bench/jobs.py` measures against it is the most any server could
score on this machine under that client: the client and the HTTP server alone.

    .venv/bin/uvicorn --app-dir bench noop_server:app --port 8077 --workers 2
"""

import json
from collections.abc import Awaitable, Callable
from typing import Any

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

STATUS_INFO = json.dumps(
    {"jobID": "noop", "type": "process", "status": "successful", "progress": 100, "links": []}
).encode()


async def _read_body(receive: Receive) -> None:
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await _read_body(receive)
    created = scope["method"] == "POST"
    headers = [(b"content-type", b"application/json")]
    if created:
        host = dict(scope["headers"]).get(b"host", b"127.0.0.1")
        headers.append((b"location", b"http://" + host + b"/jobs/noop"))
    await send(
        {"type": "http.response.start", "status": 201 if created else 200, "headers": headers}
    )
    await send({"type": "http.response.body", "body": STATUS_INFO})
