"""Job status pushed over WebSocket while a real worker runs the job."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from apps.accounts.models import User
from apps.jobs.models import Job
from apps.processes.services import processes_sync_builtins
from marketplace.asgi import application
from tests.fixtures import submit_job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process"),
]


def _headers(user: User) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://localhost")]


def _countdown(user: User, seconds: int) -> Job:
    processes_sync_builtins()
    return submit_job(user, "countdown", {"inputs": {"seconds": seconds}})


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
    headers = _headers(alice)
    job = _countdown(alice, seconds=2)

    seen = async_to_sync(_watch)(f"/ws/jobs/{job.pk}/", headers, "successful")

    progress = [message["progress"] for message in seen]
    assert progress == sorted(progress)
    assert progress[-1] == 100
    assert {message["jobID"] for message in seen} == {str(job.pk)}
    assert "running" in {message["status"] for message in seen}


def test_user_stream_carries_their_jobs(alice: User) -> None:
    headers = _headers(alice)
    job = _countdown(alice, seconds=1)
    seen = async_to_sync(_watch)("/ws/jobs/", headers, "successful")
    assert seen[-1]["jobID"] == str(job.pk)


def test_other_users_cannot_watch(alice: User, make_user) -> None:
    job = _countdown(alice, seconds=1)
    mallory_headers = _headers(make_user("mallory"))

    async def connect() -> bool:
        communicator = WebsocketCommunicator(
            application, f"/ws/jobs/{job.pk}/", headers=mallory_headers
        )
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected or code

    assert async_to_sync(connect)() == 4403
