import base64
import re

import pytest
from django.core import mail
from django.test import Client

from apps.accounts.models import Role, User
from apps.accounts.services import user_approve, user_roles, user_set_roles
from apps.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def _sign_up(client: Client, username: str) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": f"{username}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content


def _confirm_email_from_outbox(client: Client) -> None:
    (message,) = mail.outbox
    match = re.search(r"http://[^/\s]+(/accounts/confirm-email/[^\s]+/)", str(message.body))
    assert match, message.body
    response = client.post(match.group(1))
    assert response.status_code == 302


def test_signup_verify_approve_gives_a_workspace(client: Client, administrator: User) -> None:
    # given a visitor who signs up and confirms their e-mail address
    _sign_up(client, "carol")
    _confirm_email_from_outbox(client)
    carol = User.objects.get(username="carol")
    assert carol.is_approved is False
    assert not Workspace.objects.filter(owner=carol).exists()

    # when an administrator approves the sign-up through the API
    admin_client = Client()
    admin_client.force_login(administrator)
    response = admin_client.post("/api/accounts/users/carol/approve")

    # then carol is an approved User with a workspace, and can use the platform
    assert response.status_code == 200
    assert response.json()["isApproved"] is True
    assert response.json()["roles"] == ["User"]
    carol.refresh_from_db()
    assert carol.is_approved is True
    assert carol.approved_by == administrator
    assert Workspace.objects.get(owner=carol).used_bytes == 0
    assert (
        client.post("/accounts/login/", {"login": "carol", "password": PASSWORD}).status_code == 302
    )
    assert client.get("/").status_code == 200
    assert client.get("/api/accounts/me").json()["username"] == "carol"


def test_unverified_email_cannot_sign_in(client: Client) -> None:
    # given a sign-up whose e-mail address was never confirmed
    _sign_up(client, "dave")
    client.logout()

    # when they try to sign in
    response = client.post("/accounts/login/", {"login": "dave", "password": PASSWORD})

    # then they are sent to the "confirm your e-mail" page, not signed in
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get("/api/accounts/me").status_code == 401


def test_unapproved_user_reaches_only_the_waiting_page(make_user, client: Client) -> None:
    # given a signed-in user whose sign-up is not approved yet
    erin = make_user("erin", roles=(), approved=False)
    client.force_login(erin)

    # when they open pages and APIs
    home = client.get("/")
    manage = client.get("/manage/users/")
    tokens = client.post("/accounts/tokens/", {"name": "early"})
    api = client.get("/api/accounts/me")
    waiting = client.get("/accounts/pending/")

    # then every page sends them to the waiting page and the API refuses with a problem document
    assert home.status_code == 302
    assert home["Location"] == "/accounts/pending/"
    assert manage["Location"] == "/accounts/pending/"
    assert tokens["Location"] == "/accounts/pending/"
    assert not erin.api_tokens.exists()
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["status"] == 403
    assert waiting.status_code == 200
    assert b"waiting for an administrator" in waiting.content
    assert not Workspace.objects.filter(owner=erin).exists()


def test_unapproved_user_refused_with_token_and_basic(make_user, api_client) -> None:
    # given an unapproved user with correct credentials
    make_user("frank", roles=(), approved=False, password="pw-frank-123")

    # when they call the API with HTTP Basic
    api_client.credentials(
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"frank:pw-frank-123").decode()
    )
    response = api_client.get("/api/accounts/me")

    # then the API refuses them
    assert response.status_code == 403
    assert response.json()["detail"] == "Sign in with an approved account to use this API."


def test_approval_is_idempotent_and_keeps_existing_roles(make_user) -> None:
    # given a developer who signed up and was given the Developer role before approval
    grace = make_user("grace", roles=(), approved=False)
    user_set_roles(user=grace, roles=[Role.DEVELOPER])

    # when approved twice
    user_approve(user=grace, approved_by=None)
    grace = user_approve(user=grace, approved_by=None)

    # then the roles are kept and there is one workspace
    assert user_roles(grace) == ["Developer"]
    assert Workspace.objects.filter(owner=grace).count() == 1
