"""The §8.3 authentication server under /auth/: every operation, format and status."""

import base64
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.test import Client

from apps.accounts.credentials import COOKIE_NAME, credentials_sign, public_jwks, user_from_cookie
from apps.accounts.models import Role, User
from tests.fixtures import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    Response = Any

pytestmark = pytest.mark.django_db

FORMATS = ["JSON", "XML", "HTML"]
CONTENT_TYPES = {
    "JSON": "application/json",
    "XML": "application/xml",
    "HTML": "text/html; charset=utf-8",
}
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
LIFETIME = 12 * 3600
XML_KEYS = {
    "Domain": "domain",
    "FirstName": "firstName",
    "LastName": "lastName",
    "EMailAddress": "eMailAddress",
    "Username": "username",
    "AuthTime": "authTime",
    "Expires": "expires",
    "LoginId": "loginId",
    "OriginServer": "originServer",
}
ALICE_FIXED = {
    "domain": "testserver",
    "firstName": "Alice",
    "lastName": "Liddell",
    "eMailAddress": "alice@example.org",
    "username": "alice",
    "roles": ["User"],
    "originServer": "http://testserver/auth/",
}


def _login(
    client: Client,
    fmt: str = "JSON",
    *,
    username: str = "alice",
    password: str = PASSWORD,
    method: str = "post",
    path: str = "/auth/login",
    callback: str | None = None,
    operation: str | None = None,
    **request: Any,
) -> Response:
    data = {"username": username, "password": password, "format": fmt}
    data.update({"callback": callback} if callback is not None else {})
    data.update({"operation": operation} if operation is not None else {})
    return getattr(client, method)(path, data, **request)


def _reported_status(response: Response, fmt: str) -> str | None:
    """The status as the body reports it, in each format."""
    if fmt == "JSON":
        return response.json()["status"]
    if fmt == "XML":
        return ElementTree.fromstring(response.content).findtext("Status")
    match = re.search(rb'data-cwauth-status="([^"]*)"', response.content)
    return match.group(1).decode() if match else None


def _reported_credentials(response: Response, fmt: str) -> dict[str, Any] | None:
    """The unencrypted credentials the body shows, read back into the §8.2 JSON shape."""
    if fmt == "JSON":
        return response.json().get("credentials")
    if fmt == "XML":
        element = ElementTree.fromstring(response.content).find("CwCredentials")
        if element is None:
            return None
        document: dict[str, Any] = {}
        for child in element:
            if child.tag == "Role":
                document.setdefault("roles", []).append(child.text)
            else:
                document[XML_KEYS[child.tag]] = child.text
        return document
    return response.context["credentials"]


def _payload(token: str) -> dict[str, Any]:
    """The JWS payload, read without any key (what the cookie claims, not whether it holds)."""
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _expired_document() -> dict[str, Any]:
    past = datetime.now(UTC) - timedelta(hours=1)
    return {
        **ALICE_FIXED,
        "authTime": _timestamp(past - timedelta(hours=12)),
        "expires": _timestamp(past),
        "loginId": "oldLogin",
    }


def _with_cookie(token: str) -> Client:
    client = Client()
    client.cookies[COOKIE_NAME] = token
    return client


def _is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- login -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_login_successful_in_every_format(alice: User, client: Client, fmt: str) -> None:
    # when
    response = _login(client, fmt)

    # then the body, the header and the cookie all carry the same credentials
    token = response.cookies[COOKIE_NAME].value
    document = _payload(token)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["CwAuth-Status"] == "loginSuccessful"
    assert response["Cache-Control"] == NEVER_CACHE
    assert _reported_status(response, fmt) == "loginSuccessful"
    assert _reported_credentials(response, fmt) == document
    assert {key: document[key] for key in ALICE_FIXED} == ALICE_FIXED
    assert sorted(document) == sorted([*ALICE_FIXED, "authTime", "expires", "loginId"])
    lifetime = datetime.fromisoformat(document["expires"]) - datetime.fromisoformat(
        document["authTime"]
    )
    assert lifetime == timedelta(seconds=LIFETIME)
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_login_cookie_attributes(alice: User, client: Client) -> None:
    # when
    cookie = _login(client).cookies[COOKIE_NAME]

    # then
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] == ""
    assert cookie["max-age"] == LIFETIME
    assert cookie["domain"] == ""
    assert cookie["path"] == "/"


def test_login_cookie_is_secure_when_configured(alice: User, client: Client, settings) -> None:
    # given
    settings.CREDENTIALS_COOKIE_SECURE = True

    # when
    cookie = _login(client).cookies[COOKIE_NAME]

    # then
    assert cookie["secure"] is True


@pytest.mark.parametrize(
    ("configured", "host", "cookie_domain", "credentials_domain"),
    [
        ("tep.example", "portal.tep.example", "tep.example", "tep.example"),
        ("", "portal.tep.example", "tep.example", "tep.example"),
        ("tep.example", "localhost", "", "tep.example"),
        ("", "localhost", "", "localhost"),
        ("", "127.0.0.1", "", "127.0.0.1"),
        ("", "[::1]", "", "::1"),
    ],
)
def test_login_cookie_domain_only_for_a_real_domain(
    alice: User,
    client: Client,
    settings,
    configured: str,
    host: str,
    cookie_domain: str,
    credentials_domain: str,
) -> None:
    # given
    settings.CREDENTIALS_DOMAIN = configured
    settings.ALLOWED_HOSTS = [host]

    # when
    response = _login(client, HTTP_HOST=host)

    # then
    assert response.cookies[COOKIE_NAME]["domain"] == cookie_domain
    assert response.json()["credentials"]["domain"] == credentials_domain


@pytest.mark.parametrize("fmt", FORMATS)
def test_login_by_get(alice: User, client: Client, fmt: str) -> None:
    # when
    response = _login(client, fmt, method="get")

    # then
    assert response.status_code == 200
    assert response["CwAuth-Status"] == "loginSuccessful"
    assert _reported_status(response, fmt) == "loginSuccessful"
    assert _payload(response.cookies[COOKIE_NAME].value)["username"] == "alice"


@pytest.mark.parametrize("fmt", FORMATS)
def test_login_failed_in_every_format(alice: User, client: Client, fmt: str) -> None:
    # when
    response = _login(client, fmt, password="wrong")

    # then
    assert response.status_code == 401
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["CwAuth-Status"] == "loginFailed"
    assert _reported_status(response, fmt) == "loginFailed"
    assert _reported_credentials(response, fmt) is None
    assert COOKIE_NAME not in response.cookies
    assert not _is_signed_in(client)


@pytest.mark.parametrize("username", ["nobody", ""])
def test_login_failed_for_unknown_or_missing_username(client: Client, username: str) -> None:
    # when
    response = _login(client, username=username)

    # then
    assert (response.status_code, response.json()) == (401, {"status": "loginFailed"})
    assert COOKIE_NAME not in response.cookies


def test_inactive_user_cannot_log_in(alice: User, client: Client) -> None:
    # given
    User.objects.filter(pk=alice.pk).update(is_active=False)

    # when
    response = _login(client)

    # then
    assert (response.status_code, response.json()) == (401, {"status": "loginFailed"})
    assert COOKIE_NAME not in response.cookies
    assert not _is_signed_in(client)


def test_unapproved_user_can_log_in(make_user: Callable[..., User], client: Client) -> None:
    # given
    waiting = make_user("waiting", approved=False)

    # when
    response = _login(client, username="waiting")

    # then the credentials are issued; the approval gate applies elsewhere
    assert response.json()["status"] == "loginSuccessful"
    fresh = _with_cookie(response.cookies[COOKIE_NAME].value)
    assert fresh.get("/auth/getCredentials", {"format": "JSON"}).json()["status"] == (
        "credentialsOkay"
    )
    assert user_from_cookie(fresh.get("/auth/getCredentials").wsgi_request) == waiting
    assert fresh.get("/api/accounts/users").status_code == 403


def test_html_login_without_username_asks_for_it(alice: User, client: Client) -> None:
    # given a browser visiting the login page several times
    for _ in range(6):
        page = client.get("/auth/login", {"callback": "/catalogue/"}, HTTP_ACCEPT="text/html")
        assert page.status_code == 200
        assert "CwAuth-Status" not in page
        assert (page.context["status"], page.context["callback"]) == (None, "/catalogue/")
        assert b'name="password"' in page.content
        assert b'<input type="hidden" name="callback" value="/catalogue/">' in page.content

    # when the user submits the form
    response = client.post(
        "/auth/login",
        {"username": "alice", "password": PASSWORD, "format": "HTML", "callback": "/catalogue/"},
    )

    # then visiting the form counted as no failed attempt
    assert (response.status_code, response["Location"]) == (302, "/catalogue/")
    assert response["CwAuth-Status"] == "loginSuccessful"


def test_html_login_failure_shows_the_form_again(alice: User, client: Client) -> None:
    # when
    response = _login(client, "HTML", password="wrong")

    # then
    assert response.status_code == 401
    assert response.context["username"] == "alice"
    assert b'value="alice"' in response.content
    assert b"The username or password is not right." in response.content


@pytest.mark.parametrize(("accept", "expected"), [("text/html", "HTML"), ("", "JSON")])
def test_format_defaults_to_html_for_browsers(
    alice: User, client: Client, accept: str, expected: str
) -> None:
    # when
    response = client.post(
        "/auth/login", {"username": "alice", "password": PASSWORD}, HTTP_ACCEPT=accept
    )

    # then
    assert response["Content-Type"] == CONTENT_TYPES[expected]
    assert _reported_status(response, expected) == "loginSuccessful"


@pytest.mark.parametrize(
    ("given", "expected"), [("json", "JSON"), ("Xml", "XML"), ("html", "HTML")]
)
def test_format_is_case_insensitive(client: Client, given: str, expected: str) -> None:
    # when
    response = client.get("/auth/getCredentials", {"format": given})

    # then
    assert response["Content-Type"] == CONTENT_TYPES[expected]
    assert _reported_status(response, expected) == "noCredentials"


def test_unknown_format_is_refused(client: Client) -> None:
    # when
    response = client.get("/auth/getCredentials", {"format": "yaml"})

    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "Unknown format 'YAML'; use JSON, XML or HTML.",
    }


def test_other_methods_are_refused(client: Client) -> None:
    # when
    response = client.put("/auth/login")

    # then
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST, OPTIONS"
    assert response.json()["detail"] == "Use GET or POST."


# --- brute-force limits ----------------------------------------------------------------------


def test_sixth_rapid_wrong_password_is_too_frequent(alice: User, client: Client) -> None:
    # given five wrong passwords in a row
    statuses = [_login(client, password="wrong").json()["status"] for _ in range(5)]

    # when a sixth attempt comes, and then the right password
    sixth = _login(client, password="wrong")
    right = _login(client)

    # then both are refused without looking at the password
    assert statuses == ["loginFailed"] * 5
    assert (sixth.status_code, sixth.json()) == (429, {"status": "loginAttemptsTooFrequent"})
    assert (right.status_code, right.json()) == (429, {"status": "loginAttemptsTooFrequent"})
    assert right["CwAuth-Status"] == "loginAttemptsTooFrequent"
    assert right["Retry-After"] == "900"
    assert COOKIE_NAME not in right.cookies
    assert not _is_signed_in(client)


@pytest.mark.parametrize("fmt", FORMATS)
def test_too_frequent_in_every_format(alice: User, client: Client, fmt: str) -> None:
    # given
    for _ in range(5):
        _login(client, password="wrong")

    # when
    response = _login(client, fmt)

    # then
    assert response.status_code == 429
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["CwAuth-Status"] == "loginAttemptsTooFrequent"
    assert _reported_status(response, fmt) == "loginAttemptsTooFrequent"
    assert _reported_credentials(response, fmt) is None
    assert COOKIE_NAME not in response.cookies


def test_success_resets_the_username_count(alice: User, client: Client) -> None:
    # given four failures and then a success
    for _ in range(4):
        _login(client, password="wrong")
    _login(client)

    # when four more failures come
    statuses = [_login(client, password="wrong").json()["status"] for _ in range(4)]

    # then the earlier four no longer count
    assert statuses == ["loginFailed"] * 4
    assert _login(client).json()["status"] == "loginSuccessful"


def test_too_frequent_per_client_address(
    make_user: Callable[..., User], client: Client, settings
) -> None:
    # given three failures from one address, each for a different username
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    make_user("u4")
    for name in ("u1", "u2", "u3"):
        _login(client, username=name, password="wrong")

    # when a fourth username logs in from that address, and from another address
    same_address = _login(client, username="u4")
    other_address = _login(Client(), username="u4", REMOTE_ADDR="10.0.0.2")

    # then
    assert same_address.json() == {"status": "loginAttemptsTooFrequent"}
    assert other_address.json()["status"] == "loginSuccessful"


def test_limits_hold_per_username_across_addresses(alice: User) -> None:
    # given five failures for alice, each from a different address
    for number in range(5):
        _login(Client(), password="wrong", REMOTE_ADDR=f"10.0.1.{number}")

    # when alice logs in from yet another address
    response = _login(Client(), REMOTE_ADDR="10.0.1.99")

    # then
    assert response.json() == {"status": "loginAttemptsTooFrequent"}


# --- the single-endpoint form ----------------------------------------------------------------


@pytest.mark.parametrize("operation", ["login", "LOGIN"])
def test_single_endpoint_login(alice: User, client: Client, operation: str) -> None:
    # when
    by_post = _login(client, path=f"/auth/?operation={operation}")
    by_get = _login(Client(), method="get", path="/auth/", operation=operation)

    # then
    assert (by_post.status_code, by_post["CwAuth-Status"]) == (200, "loginSuccessful")
    assert by_get.json()["status"] == "loginSuccessful"
    assert COOKIE_NAME in by_get.cookies


def test_single_endpoint_get_credentials_and_logout(alice: User, client: Client) -> None:
    # given
    _login(client, path="/auth/?operation=login")

    # when
    okay = client.get("/auth/", {"operation": "getCredentials", "format": "XML"})
    logout = client.post("/auth/", {"operation": "logout", "format": "JSON"})
    none = client.get("/auth/", {"operation": "getcredentials", "format": "JSON"})

    # then
    assert (okay["CwAuth-Status"], _reported_status(okay, "XML")) == (
        "credentialsOkay",
        "credentialsOkay",
    )
    assert logout.json() == {"status": "logoutSuccessful"}
    assert none.json() == {"status": "noCredentials"}


@pytest.mark.parametrize("query", [{"operation": "fly"}, {}])
def test_single_endpoint_unknown_operation(client: Client, query: dict[str, str]) -> None:
    # when
    response = client.get("/auth/", query)

    # then
    name = query.get("operation", "")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "CwAuth-Status" not in response
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": f"Unknown operation {name!r}; use login, logout or getCredentials.",
    }


# --- getCredentials --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_credentials_okay(alice: User, client: Client, fmt: str) -> None:
    # given
    token = _login(client).cookies[COOKIE_NAME].value

    # when
    response = _with_cookie(token).get("/auth/getCredentials", {"format": fmt})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["CwAuth-Status"] == "credentialsOkay"
    assert response["Cache-Control"] == NEVER_CACHE
    assert _reported_status(response, fmt) == "credentialsOkay"
    assert _reported_credentials(response, fmt) == _payload(token)
    assert COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_credentials_none(client: Client, fmt: str) -> None:
    # when
    response = client.get("/auth/getCredentials", {"format": fmt})

    # then
    assert response.status_code == 200
    assert response["CwAuth-Status"] == "noCredentials"
    assert _reported_status(response, fmt) == "noCredentials"
    assert _reported_credentials(response, fmt) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_credentials_expired(alice: User, fmt: str) -> None:
    # given a cookie signed by us, but past its `expires`
    document = _expired_document()
    fresh = _with_cookie(credentials_sign(document))

    # when
    response = fresh.get("/auth/getCredentials", {"format": fmt})

    # then the credentials are still shown, marked expired
    assert response.status_code == 200
    assert response["CwAuth-Status"] == "credentialsExpired"
    assert _reported_status(response, fmt) == "credentialsExpired"
    assert _reported_credentials(response, fmt) == document


def test_expired_cookie_does_not_authenticate(alice: User) -> None:
    # given
    fresh = _with_cookie(credentials_sign(_expired_document()))

    # when
    response = fresh.get("/api/accounts/me")

    # then
    assert response.status_code == 401
    assert user_from_cookie(response.wsgi_request) is None


def _tampered_payload(token: str) -> str:
    header, _payload_segment, signature = token.split(".")
    document = {**_payload(token), "roles": ["Administrator"]}
    forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _tampered_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[0] ^= 0x01
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return f"{header}.{payload}.{flipped}"


def _signed_by_another_key(token: str) -> str:
    header = jwt.get_unverified_header(token)
    payload = json.dumps(_payload(token)).encode()
    return jwt.api_jws.encode(
        payload, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": header["kid"]}
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("tamper", [_tampered_payload, _tampered_signature, _signed_by_another_key])
def test_tampered_credentials_are_invalid(
    alice: User, client: Client, fmt: str, tamper: Callable[[str], str]
) -> None:
    # given a real cookie, altered
    fresh = _with_cookie(tamper(_login(client).cookies[COOKIE_NAME].value))

    # when
    response = fresh.get("/auth/getCredentials", {"format": fmt})

    # then
    assert response.status_code == 200
    assert response["CwAuth-Status"] == "credentialsInvalid"
    assert _reported_status(response, fmt) == "credentialsInvalid"
    assert _reported_credentials(response, fmt) is None
    assert fresh.get("/api/accounts/me").status_code == 401


def test_xml_follows_the_spec_shape_and_escapes(
    make_user: Callable[..., User], client: Client
) -> None:
    # given a name that needs escaping and several roles
    make_user(
        "tom",
        roles=(Role.USER, Role.DEVELOPER, Role.ADMINISTRATOR),
        first_name='<Tom & "Jerry">',
    )

    # when
    response = _login(client, "XML", username="tom")

    # then
    root = ElementTree.fromstring(response.content)
    credentials = root.find("CwCredentials")
    assert credentials is not None
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<CwAuthResponse>")
    assert b'&lt;Tom &amp; "Jerry"&gt;' in response.content
    assert [child.tag for child in root] == ["Status", "CwCredentials"]
    assert [child.tag for child in credentials] == [
        "Domain",
        "FirstName",
        "EMailAddress",
        "Username",
        "Role",
        "Role",
        "Role",
        "AuthTime",
        "Expires",
        "LoginId",
        "OriginServer",
    ]
    assert credentials.findtext("FirstName") == '<Tom & "Jerry">'
    assert [role.text for role in credentials.findall("Role")] == [
        "User",
        "Developer",
        "Administrator",
    ]


# --- logout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_logout_expires_revokes_and_ends_the_session(alice: User, client: Client, fmt: str) -> None:
    # given
    token = _login(client).cookies[COOKIE_NAME].value

    # when
    response = client.post("/auth/logout", {"format": fmt})

    # then the cookie is expired, the session ended and the old value refused
    cookie = response.cookies[COOKIE_NAME]
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["CwAuth-Status"] == "logoutSuccessful"
    assert _reported_status(response, fmt) == "logoutSuccessful"
    assert _reported_credentials(response, fmt) is None
    assert (cookie.value, cookie["expires"], cookie["max-age"]) == (
        "",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        0,
    )
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Lax")
    assert not _is_signed_in(client)
    replay = _with_cookie(token)
    assert replay.get("/auth/getCredentials", {"format": "JSON"}).json() == {
        "status": "credentialsInvalid"
    }
    assert replay.get("/api/accounts/me").status_code == 401


def test_logout_json_shape_and_without_credentials(client: Client) -> None:
    # when
    response = client.get("/auth/logout", {"format": "JSON"})

    # then
    assert response.json() == {"status": "logoutSuccessful"}
    assert response.cookies[COOKIE_NAME].value == ""


# --- the cookie as a sign-in -----------------------------------------------------------------


def test_cookie_signs_in_to_the_platform(alice: User, administrator: User, client: Client) -> None:
    # given cookies from two logins, used by clients without a session
    alice_client = _with_cookie(_login(client).cookies[COOKIE_NAME].value)
    admin_token = _login(Client(), username="root-admin").cookies[COOKIE_NAME].value
    admin_client = _with_cookie(admin_token)

    # when
    me = alice_client.get("/api/accounts/me")
    alice_users = alice_client.get("/api/accounts/users")
    admin_users = admin_client.get("/api/accounts/users")

    # then the cookie is who they are, with their roles
    assert (me.status_code, me.json()["username"]) == (200, "alice")
    assert me.wsgi_request.user == alice
    assert user_from_cookie(me.wsgi_request) == alice
    assert alice_users.status_code == 403
    assert admin_users.status_code == 200
    assert not _is_signed_in(alice_client)


# --- callbacks -------------------------------------------------------------------------------


@pytest.fixture
def tep_domain(settings) -> None:
    settings.CREDENTIALS_DOMAIN = "tep.example"
    settings.ALLOWED_HOSTS = ["portal.tep.example", "testserver"]
    settings.CREDENTIALS_ALLOWED_CALLBACK_HOSTS = ["partner.example.org"]


@pytest.mark.usefixtures("tep_domain")
@pytest.mark.parametrize(
    "callback",
    [
        "/catalogue/?q=sea+ice",
        "catalogue/",
        "https://portal.tep.example/catalogue/",
        "http://portal.tep.example:8080/app",
        "//portal.tep.example/app",
        "https://apps.tep.example/welcome",
        "https://tep.example/",
        "https://partner.example.org/back",
    ],
)
def test_login_redirects_to_a_callback_on_the_domain(
    alice: User, client: Client, callback: str
) -> None:
    # when
    response = _login(client, "HTML", callback=callback, HTTP_HOST="portal.tep.example")

    # then
    assert (response.status_code, response["Location"]) == (302, callback)
    assert response["CwAuth-Status"] == "loginSuccessful"
    assert response.cookies[COOKIE_NAME]["domain"] == "tep.example"
    assert _is_signed_in(client)


def test_same_host_callback_without_a_configured_domain(alice: User, client: Client) -> None:
    # when
    login = _login(client, "HTML", callback="http://testserver/catalogue/")
    logout = client.post("/auth/logout", {"format": "HTML", "callback": "/"})

    # then
    assert (login.status_code, login["Location"]) == (302, "http://testserver/catalogue/")
    assert (logout.status_code, logout["Location"]) == (302, "/")
    assert logout["CwAuth-Status"] == "logoutSuccessful"
    assert logout.cookies[COOKIE_NAME].value == ""


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_callback_does_not_redirect_outside_html(alice: User, client: Client, fmt: str) -> None:
    # when
    response = _login(client, fmt, callback="/catalogue/")

    # then
    assert response.status_code == 200
    assert _reported_status(response, fmt) == "loginSuccessful"


def test_get_credentials_html_offers_the_callback(alice: User, client: Client) -> None:
    # given
    _login(client)

    # when
    response = client.get(
        "/auth/getCredentials", {"format": "HTML", "callback": "/catalogue/?a=1&b=2"}
    )

    # then it shows a button back, rather than redirecting
    assert response.status_code == 200
    assert response["CwAuth-Status"] == "credentialsOkay"
    assert (
        b'<a class="btn btn-primary mt-3" id="cwauth-callback" href="/catalogue/?a=1&amp;b=2">'
        in response.content
    )


EVIL_CALLBACKS = [
    "https://evil.example/steal",
    "HTTPS://EVIL.EXAMPLE/",
    "//evil.example/steal",
    "///evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "https://tep.example@evil.example/",
    "https://portal.tep.example:443@evil.example/",
    "https://@evil.example/",
    "https://evil.example\\@portal.tep.example/",
    "\\\\evil.example",
    "/\\evil.example",
    "https:\\\\evil.example",
    "https://tep.example.evil.example/",
    "https://eviltep.example/",
    "https://portal.tep.example\t.evil.example/",
    "ftp://portal.tep.example/",
]


@pytest.mark.usefixtures("tep_domain")
@pytest.mark.parametrize("callback", EVIL_CALLBACKS)
def test_login_refuses_callbacks_elsewhere(alice: User, client: Client, callback: str) -> None:
    # when
    response = _login(client, "HTML", callback=callback, HTTP_HOST="portal.tep.example")

    # then nothing happened: no cookie, no session, no redirect
    assert response.status_code == 400
    assert response.context["problem"]["detail"] == (
        "The callback must lead back to this platform's domain."
    )
    assert "Location" not in response
    assert "CwAuth-Status" not in response
    assert COOKIE_NAME not in response.cookies
    assert not _is_signed_in(client)


@pytest.mark.usefixtures("tep_domain")
def test_refused_callback_is_a_problem_document_in_json(alice: User, client: Client) -> None:
    # when
    response = _login(client, "JSON", callback="https://evil.example/")

    # then
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "The callback must lead back to this platform's domain.",
    }


@pytest.mark.usefixtures("tep_domain")
@pytest.mark.parametrize("callback", ["https://evil.example/", "//evil.example/"])
def test_logout_refuses_callbacks_elsewhere(alice: User, client: Client, callback: str) -> None:
    # given
    token = _login(client).cookies[COOKIE_NAME].value

    # when
    response = client.post("/auth/logout", {"format": "HTML", "callback": callback})

    # then the cookie and the session are left as they were
    assert response.status_code == 400
    assert COOKIE_NAME not in response.cookies
    assert _is_signed_in(client)
    assert _with_cookie(token).get("/auth/getCredentials").json()["status"] == "credentialsOkay"


def test_https_page_refuses_a_plain_http_callback(alice: User, client: Client) -> None:
    # when
    response = _login(client, "HTML", callback="http://testserver/", secure=True)

    # then
    assert response.status_code == 400
    assert COOKIE_NAME not in response.cookies


# --- cross-origin callers --------------------------------------------------------------------


@pytest.mark.usefixtures("tep_domain")
@pytest.mark.parametrize("origin", ["https://apps.tep.example", "http://testserver"])
def test_cross_origin_from_the_domain_is_allowed(alice: User, client: Client, origin: str) -> None:
    # when
    response = _login(client, HTTP_ORIGIN=origin)

    # then
    assert response.json()["status"] == "loginSuccessful"
    assert response["Access-Control-Allow-Origin"] == origin
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in [part.strip() for part in response["Vary"].split(",")]
    assert COOKIE_NAME in response.cookies


@pytest.mark.usefixtures("tep_domain")
@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "https://tep.example.evil.example",
        "https://eviltep.example",
        "https://partner.example.org",
        "file://",
    ],
)
def test_cross_origin_from_elsewhere_is_refused(alice: User, client: Client, origin: str) -> None:
    # when
    response = _login(client, HTTP_ORIGIN=origin)

    # then nothing happened
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == f"Requests from origin {origin} are not allowed here."
    assert "Access-Control-Allow-Origin" not in response
    assert COOKIE_NAME not in response.cookies
    assert not _is_signed_in(client)


@pytest.mark.usefixtures("tep_domain")
@pytest.mark.parametrize("path", ["/auth/login", "/auth/?operation=getCredentials", "/auth/"])
def test_preflight(client: Client, path: str) -> None:
    # when
    allowed = client.options(
        path, HTTP_ORIGIN="https://apps.tep.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    refused = client.options(
        path, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    # then
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == "https://apps.tep.example"
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    assert allowed["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert allowed["Access-Control-Allow-Headers"] == "Content-Type"
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


@pytest.mark.usefixtures("tep_domain")
def test_cross_origin_get_credentials_reads_the_cookie(alice: User, client: Client) -> None:
    # given
    _login(client)

    # when
    response = client.get(
        "/auth/getCredentials", {"format": "JSON"}, HTTP_ORIGIN="https://apps.tep.example"
    )

    # then
    assert response.json()["status"] == "credentialsOkay"
    assert response["Access-Control-Allow-Origin"] == "https://apps.tep.example"


def test_cross_site_link_with_a_password_is_refused(alice: User, client: Client) -> None:
    # when another site links a browser to a login carrying a password (login CSRF)
    response = _login(client, "HTML", method="get", HTTP_SEC_FETCH_SITE="cross-site")
    same_site = _login(Client(), "HTML", method="get", HTTP_SEC_FETCH_SITE="same-site")

    # then
    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies
    assert not _is_signed_in(client)
    assert same_site["CwAuth-Status"] == "loginSuccessful"


# --- the public keys -------------------------------------------------------------------------


def test_keys_are_public_and_cacheable(client: Client) -> None:
    # when
    response = client.get("/auth/keys")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == public_jwks()
    assert client.post("/auth/keys").status_code == 405


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
    payload = json.loads(jwt.api_jws.decode(token, key=public_key, algorithms=["EdDSA"]))

    # then it reads the same credentials the login answered with
    assert keys.headers["Content-Type"] == "application/jwk-set+json"
    assert isinstance(public_key, Ed25519PublicKey)
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": jwk["kid"], "typ": "JWT"}
    assert login.headers["CwAuth-Status"] == "loginSuccessful"
    assert payload == login.json()["credentials"]
    assert payload["username"] == "alice"
    for forged in (_tampered_payload(token), _tampered_signature(token)):
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.api_jws.decode(forged, key=public_key, algorithms=["EdDSA"])


def test_cookie_alone_does_not_authorise_unsafe_requests(alice: User) -> None:
    # given a browser holding only the credentials cookie
    token = (
        Client()
        .post("/auth/login", {"username": "alice", "password": PASSWORD, "format": "JSON"})
        .cookies[COOKIE_NAME]
        .value
    )
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[COOKIE_NAME] = token

    # when a page elsewhere makes it POST to the API without the CSRF token
    forged = browser.post(
        "/api/accounts/tokens", {"name": "stolen"}, content_type="application/json"
    )

    # then the request is refused and no token exists
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["detail"]
    assert not alice.api_tokens.exists()
