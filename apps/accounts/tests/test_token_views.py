import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import ApiToken, User
from apps.accounts.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db

SECRET = re.compile(rb'id="token-secret" value="(tep_[^"]+)"')


def test_new_token_secret_is_shown_once_and_works(alice: User, client: Client) -> None:
    # given
    client.force_login(alice)

    # when
    created = client.post("/accounts/tokens/", {"name": "laptop"})
    listed_again = client.get("/accounts/tokens/")

    # then
    match = SECRET.search(created.content)
    assert match is not None
    secret = match.group(1).decode()
    assert created["Cache-Control"] == "no-store"
    assert b'data-copy-target="#token-secret"' in created.content
    assert b"shown only this once" in created.content
    assert api_token_authenticate(secret=secret) == alice
    assert secret.encode() not in listed_again.content
    assert SECRET.search(listed_again.content) is None
    assert b"laptop" in listed_again.content
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/accounts/me").json()["username"] == "alice"


def test_expiry_date_is_kept_to_the_end_of_that_day(alice: User, client: Client) -> None:
    client.force_login(alice)
    tomorrow = timezone.now().date() + timedelta(days=1)

    client.post("/accounts/tokens/", {"name": "ci", "expires_on": tomorrow.isoformat()})

    token = ApiToken.objects.get(user=alice)
    assert token.expires_at == datetime.combine(tomorrow, time.max, tzinfo=UTC)


def test_expiry_in_the_past_is_a_form_error(alice: User, client: Client) -> None:
    client.force_login(alice)
    yesterday = timezone.now().date() - timedelta(days=1)

    response = client.post("/accounts/tokens/", {"name": "old", "expires_on": yesterday})

    assert b"Pick today or a later day." in response.content
    assert SECRET.search(response.content) is None
    assert not ApiToken.objects.filter(user=alice).exists()


def test_duplicate_name_is_a_form_error(alice: User, client: Client) -> None:
    api_token_create(user=alice, name="laptop")
    client.force_login(alice)

    response = client.post("/accounts/tokens/", {"name": "laptop"})

    assert b"You already have an active token named" in response.content
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_only_own_tokens_are_listed(alice: User, dana: User, client: Client) -> None:
    api_token_create(user=alice, name="mine")
    api_token_create(user=dana, name="dana-laptop")
    client.force_login(alice)

    page = client.get("/accounts/tokens/")

    assert b"mine" in page.content
    assert b"dana-laptop" not in page.content


def test_revoke_own_token_only(alice: User, dana: User, client: Client) -> None:
    # given
    own, own_secret = api_token_create(user=alice, name="mine")
    other, other_secret = api_token_create(user=dana, name="dana's")
    client.force_login(alice)

    # when
    foreign = client.post(f"/accounts/tokens/{other.pk}/revoke")
    revoked = client.post(f"/accounts/tokens/{own.pk}/revoke", follow=True)
    again = client.post(f"/accounts/tokens/{own.pk}/revoke")

    # then
    assert foreign.status_code == 404
    assert revoked.redirect_chain == [("/accounts/tokens/", 302)]
    assert "The token “mine” is revoked." in revoked.content.decode()
    assert again.status_code == 404
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None
    assert other.revoked_at is None
    assert api_token_authenticate(secret=own_secret) is None
    assert api_token_authenticate(secret=other_secret) == dana


def test_revoke_needs_post(alice: User, client: Client) -> None:
    token, _ = api_token_create(user=alice, name="mine")
    client.force_login(alice)

    assert client.get(f"/accounts/tokens/{token.pk}/revoke").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_visitors_are_asked_to_sign_in(client: Client) -> None:
    response = client.get("/accounts/tokens/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/tokens/"


def test_unapproved_users_get_no_tokens(make_user: Callable[..., User], client: Client) -> None:
    paul = make_user("paul", roles=(), approved=False)
    client.force_login(paul)

    page = client.get("/accounts/tokens/")
    create = client.post("/accounts/tokens/", {"name": "sneaky"})

    assert page.status_code == create.status_code == 302
    assert page["Location"] == create["Location"] == "/accounts/pending/"
    assert not ApiToken.objects.filter(user=paul).exists()
