import re

import pytest
from django.test import Client

from apps.accounts.models import ApiToken, User
from apps.accounts.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db


def test_new_token_secret_is_shown_once_and_works(alice: User, client: Client) -> None:
    client.force_login(alice)

    created = client.post("/accounts/tokens/", {"name": "laptop"})
    listed_again = client.get("/accounts/tokens/")

    match = re.search(rb'id="token-secret" value="(tep_[^"]+)"', created.content)
    assert match is not None
    secret = match.group(1).decode()
    assert api_token_authenticate(secret=secret) == alice
    assert secret.encode() not in listed_again.content
    assert b"laptop" in listed_again.content
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/accounts/me").json()["username"] == "alice"


def test_duplicate_name_is_a_form_error(alice: User, client: Client) -> None:
    api_token_create(user=alice, name="laptop")
    client.force_login(alice)
    response = client.post("/accounts/tokens/", {"name": "laptop"})
    assert b"You already have an active token named" in response.content
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_revoke_own_token_only(alice: User, dana: User, client: Client) -> None:
    own, _ = api_token_create(user=alice, name="mine")
    other, _ = api_token_create(user=dana, name="dana's")
    client.force_login(alice)

    assert client.post(f"/accounts/tokens/{other.pk}/revoke").status_code == 404
    assert client.post(f"/accounts/tokens/{own.pk}/revoke").status_code == 302

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None
    assert other.revoked_at is None
