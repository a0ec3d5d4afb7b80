"""The WebSocket that pushes a user's notifications, through the real ASGI app and Redis."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from apps.accounts.models import User
from apps.notifications.consumers import user_group
from marketplace.asgi import application
from tests.clients import session_headers

pytestmark = pytest.mark.django_db(transaction=True)


async def _receive_pushed_event(headers: list[tuple[bytes, bytes]], user_id: int) -> dict:
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    await get_channel_layer().group_send(
        user_group(user_id), {"type": "event.notify", "payload": {"title": "Job 7 has failed."}}
    )
    message = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    return message


async def _connect_code(headers: list[tuple[bytes, bytes]]) -> int | None:
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    connected, code = await communicator.connect()
    await communicator.disconnect()
    return None if connected else code


def test_signed_in_user_receives_their_events(alice: User) -> None:
    message = async_to_sync(_receive_pushed_event)(session_headers(alice), alice.pk)
    assert message == {"title": "Job 7 has failed."}


def test_anonymous_and_unapproved_are_refused(make_user) -> None:
    pending = make_user("pending-pat", roles=(), approved=False)
    anonymous_code = async_to_sync(_connect_code)([(b"origin", b"http://localhost")])
    pending_code = async_to_sync(_connect_code)(session_headers(pending))
    assert (anonymous_code, pending_code) == (4401, 4401)
