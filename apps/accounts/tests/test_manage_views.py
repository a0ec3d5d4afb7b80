from collections.abc import Callable

import pytest

from apps.accounts.models import Role, User
from apps.accounts.services import user_roles
from apps.workspaces.models import Workspace
from tests.clients import session_client_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_paul(make_user: Callable[..., User]) -> User:
    return make_user("paul", roles=(), approved=False, first_name="Paul")


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 302), ("alice", 403), ("dana", 403), ("administrator", 200)]
)
def test_only_administrators_reach_user_management(
    request, pending_paul: User, who: str | None, expected: int
) -> None:
    # given
    client = session_client_of(request.getfixturevalue(who) if who else None)

    # when
    pages = [
        client.get("/manage/users/"),
        client.get("/manage/users/paul/edit"),
        client.get("/manage/users/paul/delete"),
    ]
    approve = client.post("/manage/users/paul/approve")
    deactivate = client.post("/manage/users/paul/active", {"active": "0"})
    edit = client.post("/manage/users/paul/edit", {"email": "evil@example.org", "roles": ["User"]})
    delete = client.post("/manage/users/paul/delete")

    # then
    assert [page.status_code for page in pages] == [expected] * 3
    if who is None:
        assert pages[0]["Location"] == "/accounts/login/?next=/manage/users/"
    if expected == 200:
        assert [r.status_code for r in (approve, deactivate, edit, delete)] == [302] * 4
        assert not User.objects.filter(username="paul").exists()
    else:
        assert [r.status_code for r in (approve, deactivate, edit, delete)] == [expected] * 4
        pending_paul.refresh_from_db()
        assert pending_paul.is_approved is False
        assert pending_paul.is_active is True
        assert pending_paul.email == "paul@example.org"
        assert user_roles(pending_paul) == []
        assert not Workspace.objects.filter(owner=pending_paul).exists()


def test_state_changes_need_post(administrator: User, pending_paul: User) -> None:
    client = session_client_of(administrator)

    responses = [
        client.get("/manage/users/paul/approve"),
        client.get("/manage/users/paul/active"),
    ]

    assert [response.status_code for response in responses] == [405, 405]
    pending_paul.refresh_from_db()
    assert pending_paul.is_approved is False


def test_pending_tab_lists_and_approval_creates_workspace(
    administrator: User, pending_paul: User
) -> None:
    # given
    client = session_client_of(administrator)

    # when
    listing = client.get("/manage/users/?tab=pending")
    approve = client.post("/manage/users/paul/approve", follow=True)

    # then
    assert b'id="user-paul"' in listing.content
    assert b'id="user-root-admin"' not in listing.content
    assert b"Pending approval" in listing.content
    assert b"paul is approved and has a workspace." in approve.content
    pending_paul.refresh_from_db()
    assert pending_paul.is_approved is True
    assert pending_paul.approved_by == administrator
    assert user_roles(pending_paul) == ["User"]
    assert Workspace.objects.filter(owner=pending_paul).exists()
    assert pending_paul.workspace is not None


def test_list_shows_roles_status_and_counts(
    administrator: User, dana: User, pending_paul: User
) -> None:
    page = session_client_of(administrator).get("/manage/users/").content.decode()

    assert page.count('<tr id="user-') == 3
    assert ">Developer</span>" in page
    assert ">Administrator</span>" in page
    assert 'All <span class="badge text-bg-secondary">3</span>' in page
    assert '<span class="badge text-bg-warning">1</span>' in page
    # an administrator gets no deactivate or delete buttons on their own row
    own_row = page.split('id="user-root-admin"')[1].split("</tr>")[0]
    assert "/delete" not in own_row
    assert "Deactivate" not in own_row


def test_list_is_searchable_and_paginated(
    administrator: User, make_user: Callable[..., User]
) -> None:
    for number in range(30):
        make_user(f"member{number:02}", approved=False)
    client = session_client_of(administrator)

    first = client.get("/manage/users/").content.decode()
    second = client.get("/manage/users/?page=2").content.decode()
    found = client.get("/manage/users/?q=member07").content.decode()

    assert first.count('<tr id="user-') == 25
    assert second.count('<tr id="user-') == 6
    assert "Page 2 of 2" in second
    assert found.count('<tr id="user-') == 1
    assert 'id="user-member07"' in found


def test_edit_changes_names_roles_and_activity(administrator: User, alice: User) -> None:
    # given
    client = session_client_of(administrator)

    # when
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

    # then
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.last_name, alice.email, alice.phone, alice.is_active) == (
        "Pleasance",
        "alice@tep.example",
        "+15550100",
        False,
    )
    assert user_roles(alice) == ["User", "Developer"]


def test_edit_form_shows_invalid_input(administrator: User, alice: User) -> None:
    response = session_client_of(administrator).post(
        "/manage/users/alice/edit", {"email": "not-an-address", "is_active": "on"}
    )

    assert response.status_code == 200
    assert b"is-invalid" in response.content
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_deactivate_and_activate(administrator: User, alice: User) -> None:
    client = session_client_of(administrator)

    client.post("/manage/users/alice/active", {"active": "0"})
    alice.refresh_from_db()
    assert alice.is_active is False

    client.post("/manage/users/alice/active", {"active": "1"})
    alice.refresh_from_db()
    assert alice.is_active is True


def test_delete_asks_for_confirmation(administrator: User, alice: User) -> None:
    client = session_client_of(administrator)

    confirm = client.get("/manage/users/alice/delete")

    assert b"Delete alice?" in confirm.content
    assert User.objects.filter(username="alice").exists()


def test_delete_removes_the_user(administrator: User, alice: User) -> None:
    response = session_client_of(administrator).post("/manage/users/alice/delete", follow=True)

    assert b"alice and everything of theirs is deleted." in response.content
    assert not User.objects.filter(username="alice").exists()
    assert not Workspace.objects.filter(owner_id=alice.pk).exists()


def test_administrator_cannot_remove_themselves(administrator: User) -> None:
    # given
    client = session_client_of(administrator)

    # when
    deleted = client.post("/manage/users/root-admin/delete", follow=True)
    deactivated = client.post("/manage/users/root-admin/active", {"active": "0"}, follow=True)
    edited = client.post(
        "/manage/users/root-admin/edit",
        {"email": "root-admin@example.org", "roles": ["User", "Administrator"]},
    )
    demoted = client.post(
        "/manage/users/root-admin/edit",
        {"email": "root-admin@example.org", "roles": ["User"], "is_active": "on"},
    )

    # then
    assert b"You cannot delete your own account." in deleted.content
    assert b"You cannot deactivate your own account." in deactivated.content
    assert b"You cannot deactivate your own account." in edited.content
    assert b"You cannot remove your own Administrator role." in demoted.content
    administrator.refresh_from_db()
    assert administrator.is_active is True
    assert Role.ADMINISTRATOR in user_roles(administrator)
