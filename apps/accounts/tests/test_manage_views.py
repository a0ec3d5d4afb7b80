import pytest
from django.test import Client

from apps.accounts.models import User
from apps.accounts.services import user_roles
from apps.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_paul(make_user) -> User:
    return make_user("paul", roles=(), approved=False)


def _client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 302), ("alice", 403), ("dana", 403), ("administrator", 200)]
)
def test_only_administrators_reach_user_management(
    request, pending_paul: User, who: str | None, expected: int
) -> None:
    client = _client_for(request.getfixturevalue(who) if who else None)

    pages = [client.get("/manage/users/"), client.get("/manage/users/paul/edit")]
    approve = client.post("/manage/users/paul/approve")
    delete = client.post("/manage/users/paul/delete")

    assert [page.status_code for page in pages] == [expected, expected]
    if expected == 200:
        assert (approve.status_code, delete.status_code) == (302, 302)
        assert not User.objects.filter(username="paul").exists()
    else:
        assert approve.status_code == delete.status_code == expected
        pending_paul.refresh_from_db()
        assert pending_paul.is_approved is False
        assert not Workspace.objects.filter(owner=pending_paul).exists()


def test_pending_tab_lists_and_approval_creates_workspace(
    administrator: User, pending_paul: User
) -> None:
    client = _client_for(administrator)

    listing = client.get("/manage/users/?tab=pending")
    approve = client.post("/manage/users/paul/approve", follow=True)

    assert b'id="user-paul"' in listing.content
    assert b'id="user-root-admin"' not in listing.content
    assert b"paul is approved and has a workspace." in approve.content
    pending_paul.refresh_from_db()
    assert pending_paul.is_approved is True
    assert Workspace.objects.filter(owner=pending_paul).exists()


def test_edit_changes_names_roles_and_activity(administrator: User, alice: User) -> None:
    client = _client_for(administrator)
    response = client.post(
        "/manage/users/alice/edit",
        {
            "first_name": "Alice",
            "last_name": "Pleasance",
            "email": "alice@tep.example",
            "phone": "+15550100",
            "roles": ["User", "Developer"],
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.last_name, alice.email, alice.phone, alice.is_active) == (
        "Pleasance",
        "alice@tep.example",
        "+15550100",
        False,
    )
    assert user_roles(alice) == ["User", "Developer"]


def test_deactivate_and_activate(administrator: User, alice: User) -> None:
    client = _client_for(administrator)
    client.post("/manage/users/alice/active", {"active": "0"})
    alice.refresh_from_db()
    assert alice.is_active is False
    client.post("/manage/users/alice/active", {"active": "1"})
    alice.refresh_from_db()
    assert alice.is_active is True


def test_delete_asks_for_confirmation(administrator: User, alice: User) -> None:
    client = _client_for(administrator)
    confirm = client.get("/manage/users/alice/delete")
    assert b"Delete alice?" in confirm.content
    assert User.objects.filter(username="alice").exists()


def test_administrator_cannot_remove_themselves(administrator: User) -> None:
    client = _client_for(administrator)
    deleted = client.post("/manage/users/root-admin/delete", follow=True)
    deactivated = client.post("/manage/users/root-admin/active", {"active": "0"}, follow=True)
    assert b"You cannot delete your own account." in deleted.content
    assert b"You cannot deactivate your own account." in deactivated.content
    administrator.refresh_from_db()
    assert administrator.is_active is True
