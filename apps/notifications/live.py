"""Pushes messages to Channels groups from synchronous code, without waiting for them.

`async_to_sync(layer.group_send)` starts an event loop per call, and channels_redis keeps its
connections per event loop, so every push used to open a new Redis connection in the
caller's path. Here one long-lived loop per process owns the connections and sends the
messages in the order they were published; callers only queue them.
"""

import asyncio
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Any

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

Message = tuple[Sequence[str], dict[str, Any]]


class LivePublisher:
    """A daemon thread running an event loop that drains an ordered queue of group sends."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._queue: asyncio.Queue[Message] = asyncio.Queue()  # bound to the loop on first use
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(started,), name="live-publisher", daemon=True
        )
        self._thread.start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        started.set()
        self._loop.run_until_complete(self._drain(self._queue))

    async def _drain(self, queue: "asyncio.Queue[Message]") -> None:
        while True:
            groups, message = await queue.get()
            try:
                await self._send(groups, message)
            finally:
                queue.task_done()

    @staticmethod
    async def _send(groups: Sequence[str], message: dict[str, Any]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for group in groups:
            try:
                await layer.group_send(group, message)
            except Exception:  # a live view is a convenience; the database is the truth
                logger.warning("Could not push %s to %s", message.get("type"), group, exc_info=True)

    def publish(self, groups: Sequence[str], message: dict[str, Any]) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (tuple(groups), message))

    def flush(self, timeout: float) -> bool:
        """Wait until everything published so far was sent; False if that took too long."""
        future = asyncio.run_coroutine_threadsafe(self._queue.join(), self._loop)
        try:
            future.result(timeout)
        except FutureTimeoutError:
            future.cancel()
            return False
        return True


_publisher: LivePublisher | None = None
_publisher_lock = threading.Lock()


def live_publisher() -> LivePublisher:
    """This process's publisher; a forked child (a Celery worker) starts its own."""
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.pid != os.getpid():
            _publisher = LivePublisher()
        return _publisher


def live_publish(groups: Sequence[str], message: dict[str, Any]) -> None:
    """Queue a message for these groups; it is sent shortly, in publishing order."""
    live_publisher().publish(groups, message)


def live_flush(timeout: float = 2.0) -> bool:
    """Block until queued messages are sent (before a worker process may exit)."""
    return live_publisher().flush(timeout)
