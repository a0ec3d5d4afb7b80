"""The §8.3 authentication server: every operation, format and status."""

import base64
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.test import Client

from apps.accounts.credentials import COOKIE_NAME, credentials_sign, user_from_cookie
from apps.accounts.models import User
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["User"]


def _login(client: Client, fmt: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(
        "/auth/login", {"username": "alice", "password": password, "format": fmt, **extra}
    )


def _status_of(response: Any, fmt: str) -> str | None:
    if fmt == "JSON":
        return response.json()["status"]
    if fmt == "XML":
        return ElementTree.fromstring(response.content).findtext("Status")
    return response["CwAuth-Status"]


@pytest.mark.parametrize("fmt", ["JSON", "XML", "HTML"])
def test_login_successful_in_every_format(alice: User, client: Client, fmt: str) -> None:
    response = _login(client, fmt)

    assert response.status_code == 200
    assert response["CwAuth-Status"] == "loginSuccessful"
    assert _status_of(response, fmt) == "loginSuccessful"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    if fmt == "JSON":
        credentials = response.json()["credentials"]
        assert credentials["username"] == "alice"
        assert credentials["roles"] == ROLES
        assert credentials["firstName"] == "Alice"
        assert credentials["domain"] == "testserver"
        assert credentials["originServer"] == "http://testserver/auth/"
    if fmt == "XML":
        root = ElementTree.fromstring(response.content)
        assert root.findtext("CwCredentials/Username") == "alice"
        assert [role.text for role in root.findall("CwCredentials/Role")] == ROLES
    if fmt == "HTML":
        assert b"Signed in" in response.content


@pytest.mark.parametrize("fmt", ["JSON", "XML", "HTML"])
def test_login_failed_in_every_format(alice: User, client: Client, fmt: str) -> None:
    response = _login(client, fmt, password="wrong")
    assert response.status_code == 401
    assert response["CwAuth-Status"] == "loginFailed"
    assert _status_of(response, fmt) == "loginFailed"
    assert COOKIE_NAME not in response.cookies


def test_login_by_get_and_single_endpoint_form(alice: User, client: Client) -> None:
    by_get = client.get(
        "/auth/login", {"username": "alice", "password": PASSWORD, "format": "json"}
    )
    single = client.post(
        "/auth/?operation=login", {"username": "alice", "password": PASSWORD, "format": "JSON"}
    )
    unknown = client.get("/auth/", {"operation": "fly"})
    assert by_get.json()["status"] == "loginSuccessful"
    assert single.json()["status"] == "loginSuccessful"
    assert unknown.status_code == 400


def test_sixth_rapid_wrong_password_is_too_frequent(alice: User, client: Client) -> None:
    # given five wrong passwords in a row
    statuses = [_login(client, "JSON", password="wrong").json()["status"] for _ in range(5)]

    # when a sixth attempt comes, even with the right password
    sixth = _login(client, "JSON", password="wrong")
    right = _login(client, "JSON")

    # then both are refused without checking the password
    assert statuses == ["loginFailed"] * 5
    assert (sixth.status_code, sixth.json()["status"]) == (429, "loginAttemptsTooFrequent")
    assert right.json()["status"] == "loginAttemptsTooFrequent"
    assert right["CwAuth-Status"] == "loginAttemptsTooFrequent"
    assert COOKIE_NAME not in right.cookies


def test_too_frequent_per_client_address(make_user, client: Client, settings) -> None:
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for name in ("u1", "u2", "u3"):
        client.post("/auth/login", {"username": name, "password": "x", "format": "JSON"})
    make_user("u4")
    response = client.post(
        "/auth/login", {"username": "u4", "password": PASSWORD, "format": "JSON"}
    )
    assert response.json()["status"] == "loginAttemptsTooFrequent"


def test_inactive_user_cannot_log_in(alice: User, client: Client) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert _login(client, "JSON").json()["status"] == "loginFailed"


@pytest.mark.parametrize("fmt", ["JSON", "XML", "HTML"])
def test_get_credentials_okay_and_none(alice: User, client: Client, fmt: str) -> None:
    none = client.get("/auth/getCredentials", {"format": fmt})
    _login(client, "JSON")
    okay = client.get("/auth/getCredentials", {"format": fmt})

    assert _status_of(none, fmt) == "noCredentials"
    assert none["CwAuth-Status"] == "noCredentials"
    assert _status_of(okay, fmt) == "credentialsOkay"
    assert COOKIE_NAME not in okay.cookies
    if fmt == "JSON":
        assert okay.json()["credentials"]["username"] == "alice"


def _expired_cookie() -> str:
    past = datetime.now(UTC) - timedelta(hours=1)
    return credentials_sign(
        {
            "domain": "testserver",
            "username": "alice",
            "roles": ROLES,
            "authTime": (past - timedelta(hours=12)).isoformat().replace("+00:00", "Z"),
            "expires": past.isoformat().replace("+00:00", "Z"),
            "loginId": "oldLogin",
        }
    )


@pytest.mark.parametrize("fmt", ["JSON", "XML", "HTML"])
def test_expired_credentials(alice: User, client: Client, fmt: str) -> None:
    client.cookies[COOKIE_NAME] = _expired_cookie()
    response = client.get("/auth/getCredentials", {"format": fmt})
    assert _status_of(response, fmt) == "credentialsExpired"
    if fmt == "JSON":
        assert response.json()["credentials"]["username"] == "alice"
    if fmt == "XML":
        assert (
            ElementTree.fromstring(response.content).findtext("CwCredentials/LoginId") == "oldLogin"
        )


def test_expired_cookie_does_not_authenticate(alice: User, client: Client) -> None:
    client.cookies[COOKIE_NAME] = _expired_cookie()
    assert client.get("/api/accounts/me").status_code == 401


def _tampered_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=="))
    document["roles"] = ["Administrator"]
    forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _tampered_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{header}.{payload}.{flipped}"


def _signed_by_another_key(token: str) -> str:
    header = jwt.get_unverified_header(token)
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    return jwt.api_jws.encode(
        payload, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers=header
    )


@pytest.mark.parametrize("fmt", ["JSON", "XML", "HTML"])
@pytest.mark.parametrize("tamper", [_tampered_payload, _tampered_signature, _signed_by_another_key])
def test_tampered_credentials_are_invalid(
    alice: User, client: Client, fmt: str, tamper: Callable[[str], str]
) -> None:
    token = _login(client, "JSON").cookies[COOKIE_NAME].value
    fresh = Client()
    fresh.cookies[COOKIE_NAME] = tamper(token)

    response = fresh.get("/auth/getCredentials", {"format": fmt})

    assert _status_of(response, fmt) == "credentialsInvalid"
    assert fresh.get("/api/accounts/me").status_code == 401


@pytest.mark.parametrize("fmt", ["JSON", "XML", "HTML"])
def test_logout_expires_and_revokes(alice: User, client: Client, fmt: str) -> None:
    token = _login(client, "JSON").cookies[COOKIE_NAME].value

    response = client.post("/auth/logout", {"format": fmt})

    assert _status_of(response, fmt) == "logoutSuccessful"
    assert response.cookies[COOKIE_NAME].value == ""
    assert response.cookies[COOKIE_NAME]["expires"].startswith("Thu, 01 Jan 1970")
    replay = Client()
    replay.cookies[COOKIE_NAME] = token
    assert replay.get("/auth/getCredentials", {"format": "JSON"}).json()["status"] == (
        "credentialsInvalid"
    )


def test_cookie_signs_in_to_the_platform(alice: User, client: Client) -> None:
    token = _login(client, "JSON").cookies[COOKIE_NAME].value
    fresh = Client()
    fresh.cookies[COOKIE_NAME] = token
    response = fresh.get("/api/accounts/me")
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert user_from_cookie(response.wsgi_request) == alice


def test_callbacks_on_this_domain_redirect(alice: User, client: Client, settings) -> None:
    settings.CREDENTIALS_DOMAIN = "tep.example"
    settings.ALLOWED_HOSTS = ["portal.tep.example", "testserver"]
    login = client.post(
        "/auth/login",
        {
            "username": "alice",
            "password": PASSWORD,
            "format": "HTML",
            "callback": "https://apps.tep.example/welcome",
        },
        HTTP_HOST="portal.tep.example",
    )
    relative = client.post("/auth/logout", {"format": "HTML", "callback": "/catalogue/"})
    assert (login.status_code, login["Location"]) == (302, "https://apps.tep.example/welcome")
    assert login.cookies[COOKIE_NAME]["domain"] == "tep.example"
    assert (relative.status_code, relative["Location"]) == (302, "/catalogue/")


@pytest.mark.parametrize(
    "callback",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "javascript:alert(1)",
        "https://testserver@evil.example/",
        "https://user:pw@testserver/",
        "\\\\evil.example",
        "ftp://testserver/",
    ],
)
def test_open_redirect_callbacks_are_refused(alice: User, client: Client, callback: str) -> None:
    response = client.post(
        "/auth/login",
        {"username": "alice", "password": PASSWORD, "format": "HTML", "callback": callback},
    )
    assert response.status_code == 400
    assert COOKIE_NAME not in response.cookies
    assert client.get("/api/accounts/me").status_code == 401


def test_cross_origin_only_from_the_domain(alice: User, client: Client, settings) -> None:
    settings.CREDENTIALS_DOMAIN = "tep.example"
    friendly = client.post(
        "/auth/login",
        {"username": "alice", "password": PASSWORD, "format": "JSON"},
        HTTP_ORIGIN="https://apps.tep.example",
    )
    hostile = client.post(
        "/auth/login",
        {"username": "alice", "password": PASSWORD, "format": "JSON"},
        HTTP_ORIGIN="https://evil.example",
    )
    preflight = client.options("/auth/login", HTTP_ORIGIN="https://apps.tep.example")
    assert friendly.json()["status"] == "loginSuccessful"
    assert friendly["Access-Control-Allow-Origin"] == "https://apps.tep.example"
    assert friendly["Access-Control-Allow-Credentials"] == "true"
    assert hostile.status_code == 403
    assert COOKIE_NAME not in hostile.cookies
    assert preflight.status_code == 204
    assert "POST" in preflight["Access-Control-Allow-Methods"]


@pytest.mark.django_db(transaction=True)
def test_cookie_verified_offline_with_only_the_public_key(alice: User, live_server) -> None:
    # given the published key set and a cookie from a real login over HTTP
    keys = requests.get(f"{live_server.url}/auth/keys", timeout=10)
    login = requests.post(
        f"{live_server.url}/auth/login",
        data={"username": "alice", "password": PASSWORD, "format": "JSON"},
        timeout=10,
    )
    token = login.cookies[COOKIE_NAME]

    # when another server verifies it with nothing but the JWK
    (jwk,) = keys.json()["keys"]
    public_key = jwt.PyJWK(jwk).key
    assert isinstance(public_key, Ed25519PublicKey)
    assert jwt.get_unverified_header(token)["kid"] == jwk["kid"]
    payload = json.loads(jwt.api_jws.decode(token, key=public_key, algorithms=["EdDSA"]))

    # then it reads the same credentials the login answered with
    assert keys.headers["Content-Type"] == "application/jwk-set+json"
    assert payload == login.json()["credentials"]
    assert payload["username"] == "alice"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.api_jws.decode(_tampered_payload(token), key=public_key, algorithms=["EdDSA"])
