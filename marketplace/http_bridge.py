"""Django's WSGI handler served to the ASGI server from a fixed pool of threads.

Django's own ASGI handler runs every request in a thread created for that request and
adds an event-loop hop around each middleware; for our synchronous views that costs about
a third more CPU per request than WSGI. Here the ASGI server (uvicorn, which also serves
the WebSockets) hands each HTTP request to a long-lived thread that runs the plain WSGI
handler, so one process serves both protocols at WSGI's cost.
"""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance

WsgiApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# asgiref's synchronous body of WsgiToAsgiInstance.run_wsgi_app, which it wraps to run in
# one shared thread per process; we run it in our own pool instead.
_WSGI_RUNNER = WsgiToAsgiInstance.__dict__["run_wsgi_app"].func


def _closing(application: WsgiApplication) -> WsgiApplication:
    """Call the response's close() as WSGI requires: it ends the request in Django
    (request_finished: database connections go back to the pool, files are closed)."""

    def closing_application(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterator[bytes]:
        response = application(environ, start_response)
        try:
            yield from response
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return closing_application


class ThreadPoolWsgiToAsgi(WsgiToAsgi):
    """An ASGI application running a WSGI one in `threads` long-lived threads."""

    def __init__(self, application: WsgiApplication, *, threads: int) -> None:
        super().__init__(_closing(application))
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")

        class PooledInstance(WsgiToAsgiInstance):
            run_wsgi_app = sync_to_async(_WSGI_RUNNER, thread_sensitive=False, executor=executor)

        self.instance_class = PooledInstance

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        instance = self.instance_class(self.wsgi_application, self.duplicate_header_limit)
        await instance(scope, receive, send)
