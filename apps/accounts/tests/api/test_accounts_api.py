import base64
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, User
from apps.accounts.services import api_token_create
from apps.workspaces.models import Workspace
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_bearer_token_authenticates(alice: User, api_client: APIClient) -> None:
    # given a personal token
    _token, secret = api_token_create(user=alice, name="laptop")

    # when it is sent as a bearer token
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api_client.get("/api/accounts/me")

    # then the caller is alice and the token's last use is recorded
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response.json()["roles"] == ["User"]
    assert ApiToken.objects.get(name="laptop").last_used_at is not None


def test_revoked_or_unknown_token_is_refused(alice: User, api_client: APIClient) -> None:
    # given a token created through the API, then revoked through the API
    api_client.force_authenticate(alice)
    created = api_client.post("/api/accounts/tokens", {"name": "ci"}, format="json").json()
    assert created["token"].startswith("tep_")
    assert api_client.delete(f"/api/accounts/tokens/{created['id']}").status_code == 204
    api_client.force_authenticate(None)

    # when the revoked secret and a made-up one are used
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {created['token']}")
    revoked = api_client.get("/api/accounts/me")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer tep_not-a-real-token")
    unknown = api_client.get("/api/accounts/me")

    # then both are refused with a problem document
    for response in (revoked, unknown):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "The token is unknown, revoked or expired."
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None


def test_only_a_digest_of_the_token_is_stored(alice: User) -> None:
    token, secret = api_token_create(user=alice, name="script")
    stored = ApiToken.objects.filter(pk=token.pk).values_list("digest", "hint").get()
    assert secret not in stored
    assert stored[0] == ApiToken.digest_of(secret)


def test_token_list_shows_only_own_tokens(alice: User, dana: User, api_client: APIClient) -> None:
    api_token_create(user=alice, name="alice-token")
    dana_token, _ = api_token_create(user=dana, name="dana-token")
    api_client.force_authenticate(alice)

    listed = api_client.get("/api/accounts/tokens").json()["tokens"]
    revoke_other = api_client.delete(f"/api/accounts/tokens/{dana_token.pk}")

    assert [token["name"] for token in listed] == ["alice-token"]
    assert "token" not in listed[0]
    assert revoke_other.status_code == 404
    assert ApiToken.objects.get(pk=dana_token.pk).revoked_at is None


def test_http_basic_authenticates(alice: User, api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=_basic("alice", PASSWORD))
    response = api_client.get("/api/accounts/me")
    assert response.status_code == 200
    assert response.json()["email"] == "alice@example.org"


def test_http_basic_wrong_password_then_throttled(alice: User, api_client: APIClient) -> None:
    # given five wrong passwords
    api_client.credentials(HTTP_AUTHORIZATION=_basic("alice", "wrong"))
    statuses = [api_client.get("/api/accounts/me").status_code for _ in range(5)]

    # when the right password comes next
    api_client.credentials(HTTP_AUTHORIZATION=_basic("alice", PASSWORD))
    response = api_client.get("/api/accounts/me")

    # then it is refused until the window passes
    assert statuses == [401] * 5
    assert response.status_code == 429


def test_session_authenticates(alice: User, client) -> None:
    client.force_login(alice)
    response = client.get("/api/accounts/me")
    assert response.status_code == 200
    assert response.json()["firstName"] == "Alice"


def test_anonymous_is_asked_to_authenticate(api_client: APIClient) -> None:
    response = api_client.get("/api/accounts/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["type"] == "about:blank"
    assert response.json()["title"] == "Unauthorized"


@pytest.mark.parametrize(
    ("who", "expected"), [("alice", 403), ("dana", 403), ("administrator", 200)]
)
def test_user_administration_is_for_administrators(
    request, who: str, expected: int, api_client: APIClient, make_user
) -> None:
    # given a pending sign-up and a caller
    make_user("pending-paul", roles=(), approved=False)
    caller = request.getfixturevalue(who)
    api_client.force_authenticate(caller)

    # when the caller lists users and tries to approve and delete
    listing = api_client.get("/api/accounts/users?pending=true")
    approve = api_client.post("/api/accounts/users/pending-paul/approve")
    delete = api_client.delete("/api/accounts/users/pending-paul")

    # then only an administrator can, and nothing happens otherwise
    assert listing.status_code == expected
    assert approve.status_code == expected
    assert delete.status_code == (204 if expected == 200 else 403)
    if expected == 200:
        assert [user["username"] for user in listing.json()["users"]] == ["pending-paul"]
        assert not User.objects.filter(username="pending-paul").exists()
    else:
        paul = User.objects.get(username="pending-paul")
        assert paul.is_approved is False
        assert not Workspace.objects.filter(owner=paul).exists()


def test_administrator_modifies_and_deactivates_a_user(
    administrator: User, alice: User, api_client: APIClient
) -> None:
    api_client.force_authenticate(administrator)

    response = api_client.patch(
        "/api/accounts/users/alice",
        {"lastName": "Pleasance", "roles": ["User", "Developer"], "isActive": False},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["roles"] == ["User", "Developer"]
    assert response.json()["isActive"] is False
    alice.refresh_from_db()
    assert (alice.last_name, alice.is_active) == ("Pleasance", False)


def test_bad_role_is_a_400_listing_the_problem(administrator: User, alice, api_client) -> None:
    api_client.force_authenticate(administrator)
    response = api_client.patch("/api/accounts/users/alice", {"roles": ["Wizard"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"roles": {"0": ['"Wizard" is not a valid choice.']}}


def test_administrator_cannot_delete_or_deactivate_themselves(
    administrator: User, api_client: APIClient
) -> None:
    api_client.force_authenticate(administrator)
    delete = api_client.delete(f"/api/accounts/users/{administrator.username}")
    patch = api_client.patch(
        f"/api/accounts/users/{administrator.username}", {"isActive": False}, format="json"
    )
    assert (delete.status_code, patch.status_code) == (409, 409)
    administrator.refresh_from_db()
    assert administrator.is_active is True


def test_deleting_a_user_removes_their_workspace_and_files(
    administrator: User, alice: User, api_client: APIClient, django_capture_on_commit_callbacks
) -> None:
    # given alice has a workspace with a file and a token
    root = Path(settings.STORAGE_ROOT) / "users" / "alice"
    (root / "workspace" / "notes.txt").write_text("hello")
    api_token_create(user=alice, name="laptop")

    # when an administrator deletes her
    api_client.force_authenticate(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete("/api/accounts/users/alice")

    # then her records and files are gone
    assert response.status_code == 204
    assert not User.objects.filter(username="alice").exists()
    assert not Workspace.objects.filter(owner_id=alice.pk).exists()
    assert not ApiToken.objects.filter(user_id=alice.pk).exists()
    assert not root.exists()
