"""Test clients that act as a given user; `None` stands for an anonymous caller."""

from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import User


def client_of(user: User | None) -> APIClient:
    """An API client authenticated as `user`."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def session_client_of(user: User | None) -> Client:
    """A client signed in to the site as `user` with a session, as a browser is."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def session_headers(user: User) -> list[tuple[bytes, bytes]]:
    """The headers of a WebSocket handshake from a page `user` is signed in to."""
    client = session_client_of(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://localhost")]
