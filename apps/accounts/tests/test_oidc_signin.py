"""Sign-in through an OpenID Connect provider configured from the environment."""

import re
from collections.abc import Iterator

import pytest
import requests

from apps.accounts.models import User
from marketplace.settings.base import oidc_providers
from tests.oidc_provider import OidcStandIn, running_oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)

PERSON = {
    "sub": "f3c1d2e0-0000-4000-8000-000000000042",
    "preferred_username": "hedy",
    "email": "hedy@agency.example",
    "email_verified": True,
    "given_name": "Hedy",
    "family_name": "Lamarr",
}


def test_oidc_provider_is_configured_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OIDC_SERVER_URL", "https://sso.agency.example/realms/tep")
    monkeypatch.setenv("OIDC_CLIENT_ID", "tep-marketplace")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s3cret")

    (app,) = oidc_providers()["openid_connect"]["APPS"]  # type: ignore[index]

    assert app == {
        "provider_id": "keycloak",
        "name": "Keycloak",
        "client_id": "tep-marketplace",
        "secret": "s3cret",
        "settings": {"server_url": "https://sso.agency.example/realms/tep"},
    }


def test_no_provider_without_a_server_url(monkeypatch) -> None:
    monkeypatch.delenv("OIDC_SERVER_URL", raising=False)
    assert oidc_providers() == {}


@pytest.fixture
def oidc(settings, monkeypatch) -> Iterator[OidcStandIn]:
    with running_oidc_provider(PERSON) as provider:
        monkeypatch.setenv("OIDC_SERVER_URL", provider.base_url)
        monkeypatch.setenv("OIDC_CLIENT_ID", "tep-marketplace")
        monkeypatch.setenv("OIDC_CLIENT_SECRET", "s3cret")
        settings.SOCIALACCOUNT_PROVIDERS = oidc_providers()
        yield provider


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_oidc_sign_in_creates_an_unapproved_account(live_server, oidc: OidcStandIn) -> None:
    # given the sign-in page offers the provider
    browser = requests.Session()
    login_page = browser.get(f"{live_server.url}/accounts/login/")
    assert "Keycloak" in login_page.text

    # when the visitor signs in through it (the provider signs them in at once)
    start = f"{live_server.url}/accounts/oidc/keycloak/login/"
    page = browser.get(start)
    response = browser.post(
        start, data={"csrfmiddlewaretoken": _csrf_token(page.text)}, headers={"Referer": start}
    )

    # then the code was exchanged server to server, and a new, unapproved account exists
    assert oidc.token_requests[0]["client_id"] == ["tep-marketplace"]
    assert response.url == f"{live_server.url}/accounts/pending/"
    hedy = User.objects.get(username="hedy")
    assert (hedy.email, hedy.first_name, hedy.is_approved) == ("hedy@agency.example", "Hedy", False)
    assert "waiting for an administrator" in browser.get(f"{live_server.url}/").text
