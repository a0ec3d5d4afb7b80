"""Job status pushed over WebSocket while a real worker runs the job."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from apps.accounts.models import User
from marketplace.asgi import application
from tests.clients import session_headers
from tests.ogc import submit_countdown

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process"),
]


async def _watch(path: str, headers: list[tuple[bytes, bytes]], until: str) -> list[dict[str, Any]]:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["status"] != until:
        seen.append(await communicator.receive_json_from(timeout=15))
    await communicator.disconnect()
    return seen


def test_owner_watches_progress_live(alice: User) -> None:
    headers = session_headers(alice)
    job = submit_countdown(alice, seconds=2)

    seen = async_to_sync(_watch)(f"/ws/jobs/{job.pk}/", headers, "successful")

    progress = [message["progress"] for message in seen]
    assert progress == sorted(progress)
    assert progress[-1] == 100
    assert {message["jobID"] for message in seen} == {str(job.pk)}
    assert "running" in {message["status"] for message in seen}


def test_user_stream_carries_their_jobs(alice: User) -> None:
    headers = session_headers(alice)
    job = submit_countdown(alice, seconds=1)
    seen = async_to_sync(_watch)("/ws/jobs/", headers, "successful")
    assert seen[-1]["jobID"] == str(job.pk)


def test_other_users_cannot_watch(alice: User, make_user) -> None:
    job = submit_countdown(alice, seconds=1)
    mallory_headers = session_headers(make_user("mallory"))

    async def connect() -> bool:
        communicator = WebsocketCommunicator(
            application, f"/ws/jobs/{job.pk}/", headers=mallory_headers
        )
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected or code

    assert async_to_sync(connect)() == 4403
