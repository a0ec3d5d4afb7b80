import pytest
from django.test import Client

from apps.accounts.models import AccessRule, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/accessrule/",
        "/admin/accounts/accessrule/add/",
        "/admin/notifications/event/",
    ],
)
def test_administrator_role_reaches_the_admin(administrator: User, path: str) -> None:
    client = Client()
    client.force_login(administrator)
    assert not administrator.is_superuser
    assert client.get(path).status_code == 200


def test_administrator_adds_an_access_rule(administrator: User) -> None:
    client = Client()
    client.force_login(administrator)
    response = client.post(
        "/admin/accounts/accessrule/add/",
        {
            "name": "Partners may run ndvi",
            "applies_to": "everybody",
            "operations": '["execute"]',
            "resource_types": '["process"]',
            "resource_pattern": "ndvi",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert AccessRule.objects.filter(name="Partners may run ndvi").exists()


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/accessrule/"])
def test_users_and_developers_do_not(alice: User, dana: User, path: str) -> None:
    for user in (alice, dana):
        client = Client()
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_token_secrets_cannot_be_made_in_the_admin(administrator: User) -> None:
    client = Client()
    client.force_login(administrator)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
