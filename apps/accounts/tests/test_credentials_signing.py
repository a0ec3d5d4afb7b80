"""Signed credentials (§8.2) and the brute-force limits, without going through the views."""

import base64
import json
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory

from apps.accounts import credentials
from apps.accounts.credentials import (
    COOKIE_NAME,
    CredentialsCheck,
    CredentialsStatus,
    LoginStatus,
    credentials_domain,
    credentials_for,
    credentials_login,
    credentials_logout,
    credentials_revoke,
    credentials_sign,
    credentials_verify,
    host_in_credentials_domain,
    key_id,
    public_jwks,
    signing_key,
    trusted_public_keys,
    user_from_cookie,
)
from apps.accounts.models import Role, User
from apps.accounts.throttling import (
    client_address,
    login_attempt_allowed,
    login_failure_record,
    login_success_record,
)
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_keys() -> Iterator[None]:
    """The key caches are per process; tests that change the key settings start afresh."""
    signing_key.cache_clear()
    trusted_public_keys.cache_clear()
    yield
    signing_key.cache_clear()
    trusted_public_keys.cache_clear()


@pytest.fixture
def rf(settings) -> RequestFactory:
    settings.ALLOWED_HOSTS = ["*"]
    return RequestFactory()


def _redis() -> redis.Redis:
    return redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])


def _ttl(key: str) -> int:
    return int(_redis().ttl(cache.make_key(key)))


def _revoked_keys() -> list[str]:
    keys = _redis().keys(cache.make_key("credentials-revoked:*"))
    return sorted(key.decode() if isinstance(key, bytes) else key for key in keys)


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _document(*, expires_in: timedelta = timedelta(hours=1), **fields: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "domain": "tep.example",
        "username": "alice",
        "roles": ["User"],
        "authTime": _timestamp(now),
        "expires": _timestamp(now + expires_in),
        "loginId": "abcd1234",
        **fields,
    }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


# --- signing and verifying -------------------------------------------------------------------


def test_signed_document_verifies_unchanged() -> None:
    # given
    document = _document(firstName="Zoë", hasMaxSeats=True)

    # when
    token = credentials_sign(document)

    # then
    assert jwt.get_unverified_header(token) == {
        "alg": "EdDSA",
        "kid": key_id(signing_key().public_key()),
        "typ": "JWT",
    }
    assert credentials_verify(token) == CredentialsCheck(CredentialsStatus.OKAY, document)


def test_verify_with_only_the_public_key() -> None:
    # given
    token = credentials_sign(_document())
    public_key = signing_key().public_key()

    # when
    check = credentials_verify(token, public_keys={key_id(public_key): public_key})

    # then
    assert check.status is CredentialsStatus.OKAY


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_is_no_credentials(token: str | None) -> None:
    assert credentials_verify(token) == CredentialsCheck(CredentialsStatus.NONE)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "..", "e30.e30.", "🍪"])
def test_garbage_is_invalid(token: str) -> None:
    assert credentials_verify(token) == CredentialsCheck(CredentialsStatus.INVALID)


def test_expired_document_is_reported_with_its_credentials() -> None:
    # given
    document = _document(expires_in=timedelta(seconds=-1))

    # when
    check = credentials_verify(credentials_sign(document))

    # then
    assert check == CredentialsCheck(CredentialsStatus.EXPIRED, document)


def test_unknown_key_id_is_invalid() -> None:
    # given a token signed by a key nobody here trusts
    other = Ed25519PrivateKey.generate()
    payload = json.dumps(_document()).encode()
    token = jwt.api_jws.encode(
        payload, other, algorithm="EdDSA", headers={"kid": key_id(other.public_key())}
    )

    # when / then
    assert credentials_verify(token).status is CredentialsStatus.INVALID


def test_other_algorithms_are_invalid() -> None:
    # given an HMAC token keyed with our public key bytes (the algorithm-confusion trick)
    # and an unsigned one, both naming our key id
    kid = key_id(signing_key().public_key())
    payload = json.dumps(_document()).encode()
    public_bytes = (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    hmac = jwt.api_jws.encode(payload, public_bytes, algorithm="HS256", headers={"kid": kid})
    header = _b64url(json.dumps({"alg": "none", "kid": kid}).encode())
    unsigned = f"{header}.{_b64url(payload)}."

    # when / then
    assert credentials_verify(hmac).status is CredentialsStatus.INVALID
    assert credentials_verify(unsigned).status is CredentialsStatus.INVALID


@pytest.mark.parametrize(
    "document",
    [
        {"domain": "tep.example", "expires": "2999-01-01T00:00:00.000Z"},
        {"domain": "tep.example", "username": "alice"},
        {"username": "alice", "expires": "2999-01-01T00:00:00"},
        {"username": "alice", "expires": 32503680000},
        {"username": "alice", "expires": "tomorrow"},
        {"username": 7, "expires": "2999-01-01T00:00:00.000Z"},
        {"username": "", "expires": "2999-01-01T00:00:00.000Z"},
        ["alice"],
    ],
)
def test_malformed_documents_are_invalid(document: Any) -> None:
    # given a document we signed ourselves, but not in the §8.2 shape
    key = signing_key()
    token = jwt.api_jws.encode(
        json.dumps(document).encode(),
        key,
        algorithm="EdDSA",
        headers={"kid": key_id(key.public_key())},
    )

    # when / then
    assert credentials_verify(token) == CredentialsCheck(CredentialsStatus.INVALID)


def test_revoked_credentials_are_invalid() -> None:
    # given
    document = _document()
    token = credentials_sign(document)

    # when
    credentials_revoke(document)

    # then
    assert credentials_verify(token) == CredentialsCheck(CredentialsStatus.INVALID)
    assert _ttl("credentials-revoked:abcd1234") in (3600, 3601)


def test_revoking_expired_or_unidentified_credentials_stores_nothing() -> None:
    # when
    credentials_revoke(_document(expires_in=timedelta(seconds=-1)))
    credentials_revoke({"username": "alice", "expires": _document()["expires"]})

    # then
    assert _revoked_keys() == []


def test_logout_revokes_only_our_own_credentials() -> None:
    # given one of our tokens and a forged one with another login id
    ours = _document(loginId="ours0001")
    forged = _document(loginId="forged01")
    other = Ed25519PrivateKey.generate()
    forged_token = jwt.api_jws.encode(
        json.dumps(forged).encode(),
        other,
        algorithm="EdDSA",
        headers={"kid": key_id(signing_key().public_key())},
    )

    # when
    credentials_logout(token=credentials_sign(ours))
    credentials_logout(token=forged_token)
    credentials_logout(token=None)

    # then
    assert _revoked_keys() == [cache.make_key("credentials-revoked:ours0001")]


# --- keys ------------------------------------------------------------------------------------


def test_public_jwks_publishes_the_raw_public_key() -> None:
    # given
    public_key = signing_key().public_key()
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    # when
    jwks = public_jwks()

    # then
    assert jwks == {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": _b64url(raw),
                "kid": key_id(public_key),
                "alg": "EdDSA",
                "use": "sig",
            }
        ]
    }
    assert len(key_id(public_key)) == 16


@pytest.mark.usefixtures("fresh_keys")
def test_signing_key_from_settings(settings) -> None:
    # given
    configured = Ed25519PrivateKey.generate()
    settings.CREDENTIALS_PRIVATE_KEY = _pem(configured)

    # when
    key = signing_key()

    # then
    assert key_id(key.public_key()) == key_id(configured.public_key())


@pytest.mark.usefixtures("fresh_keys")
def test_signing_key_file_generated_on_first_use(settings, tmp_path: Path) -> None:
    # given
    path = tmp_path / "keys" / "credentials.pem"
    settings.CREDENTIALS_PRIVATE_KEY = ""
    settings.CREDENTIALS_PRIVATE_KEY_FILE = str(path)

    # when
    first = signing_key()
    signing_key.cache_clear()
    second = signing_key()

    # then the file is private to its owner and reused
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key_id(first.public_key()) == key_id(second.public_key())


@pytest.mark.usefixtures("fresh_keys")
def test_signing_key_must_be_ed25519(settings) -> None:
    # given
    ec_key = generate_private_key(SECP256R1())
    settings.CREDENTIALS_PRIVATE_KEY = ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

    # when / then
    with pytest.raises(TypeError, match="must be an Ed25519 private key"):
        signing_key()


@pytest.mark.usefixtures("fresh_keys")
def test_credentials_of_another_trusted_server_verify(settings) -> None:
    # given another authentication server of the domain, whose public key we are given
    other = Ed25519PrivateKey.generate()
    settings.CREDENTIALS_EXTRA_PUBLIC_KEYS = [_public_pem(other)]
    document = _document(originServer="https://other.tep.example/auth/")
    token = jwt.api_jws.encode(
        json.dumps(document).encode(),
        other,
        algorithm="EdDSA",
        headers={"kid": key_id(other.public_key())},
    )

    # when
    check = credentials_verify(token)

    # then
    assert check == CredentialsCheck(CredentialsStatus.OKAY, document)
    assert [key["kid"] for key in public_jwks()["keys"]] == [
        key_id(signing_key().public_key()),
        key_id(other.public_key()),
    ]


# --- the credentials document ----------------------------------------------------------------


def test_credentials_for_a_user(
    make_user: Callable[..., User], rf: RequestFactory, settings
) -> None:
    # given
    settings.CREDENTIALS_DOMAIN = "tep.example"
    dana = make_user("dana", roles=(Role.USER, Role.DEVELOPER), first_name="Dana")
    request = rf.get("/auth/login", HTTP_HOST="portal.tep.example", secure=True)

    # when
    document = credentials_for(dana, request)

    # then
    auth_time = datetime.fromisoformat(document.pop("authTime"))
    expires = datetime.fromisoformat(document.pop("expires"))
    login_id = document.pop("loginId")
    assert document == {
        "domain": "tep.example",
        "firstName": "Dana",
        "eMailAddress": "dana@example.org",
        "username": "dana",
        "roles": ["User", "Developer"],
        "originServer": "https://portal.tep.example/auth/",
    }
    assert expires - auth_time == timedelta(hours=12)
    assert abs(datetime.now(UTC) - auth_time) < timedelta(seconds=5)
    assert len(login_id) == 8


@pytest.mark.parametrize(
    ("configured", "host", "expected"),
    [
        ("", "portal.tep.example", "tep.example"),
        ("", "portal.tep.example:8443", "tep.example"),
        ("", "tep.example", "tep.example"),
        ("", "localhost:8000", "localhost"),
        ("", "127.0.0.1:8000", "127.0.0.1"),
        ("", "[::1]", "::1"),
        ("", "[::1]:8000", "::1"),
        ("Tep.Example", "anything.org", "tep.example"),
        (".tep.example", "portal.tep.example", "tep.example"),
    ],
)
def test_credentials_domain(
    rf: RequestFactory, settings, configured: str, host: str, expected: str
) -> None:
    # given
    settings.CREDENTIALS_DOMAIN = configured

    # when / then
    assert credentials_domain(rf.get("/", HTTP_HOST=host)) == expected


@pytest.mark.parametrize(
    ("host", "inside"),
    [
        ("tep.example", True),
        ("apps.tep.example", True),
        ("a.b.tep.example", True),
        ("APPS.TEP.EXAMPLE.", True),
        ("eviltep.example", False),
        ("tep.example.evil.example", False),
        ("example", False),
        ("", False),
    ],
)
def test_host_in_credentials_domain(rf: RequestFactory, settings, host: str, inside: bool) -> None:
    # given
    settings.CREDENTIALS_DOMAIN = "tep.example"

    # when / then
    assert host_in_credentials_domain(host, rf.get("/")) is inside


def test_an_ip_domain_has_no_subdomains(rf: RequestFactory) -> None:
    # given a request to an address, whose credentials domain is that address
    request = rf.get("/", HTTP_HOST="10.0.0.1")

    # when / then
    assert host_in_credentials_domain("10.0.0.1", request) is True
    assert host_in_credentials_domain("evil.10.0.0.1", request) is False


# --- logging in ------------------------------------------------------------------------------


def test_login_outcomes(alice: User, rf: RequestFactory) -> None:
    # given
    request = rf.post("/auth/login")

    # when
    failed = credentials_login(request=request, username="alice", password="wrong")
    successful = credentials_login(request=request, username="alice", password=PASSWORD)

    # then
    assert (failed.status, failed.user, failed.credentials, failed.token) == (
        LoginStatus.FAILED,
        None,
        None,
        None,
    )
    assert successful.status is LoginStatus.SUCCESSFUL
    assert successful.user == alice
    assert successful.token is not None
    assert credentials_verify(successful.token) == CredentialsCheck(
        CredentialsStatus.OKAY, successful.credentials
    )


def test_login_by_email_address(alice: User, rf: RequestFactory) -> None:
    # when
    outcome = credentials_login(
        request=rf.post("/auth/login"), username="alice@example.org", password=PASSWORD
    )

    # then
    assert outcome.status is LoginStatus.SUCCESSFUL
    assert outcome.credentials is not None
    assert outcome.credentials["username"] == "alice"


def test_login_too_frequent_before_the_password(alice: User, rf: RequestFactory) -> None:
    # given
    request = rf.post("/auth/login")
    for _ in range(5):
        credentials_login(request=request, username="alice", password="wrong")

    # when
    outcome = credentials_login(request=request, username="alice", password=PASSWORD)

    # then
    assert (outcome.status, outcome.user, outcome.token) == (LoginStatus.TOO_FREQUENT, None, None)
    assert User.objects.get(pk=alice.pk).last_login is None


def test_user_from_cookie(alice: User, rf: RequestFactory) -> None:
    # given
    token = credentials_sign(_document())
    request = rf.get("/")
    request.COOKIES[COOKIE_NAME] = token
    expired = rf.get("/")
    expired.COOKIES[COOKIE_NAME] = credentials_sign(_document(expires_in=timedelta(seconds=-1)))

    # when
    user = user_from_cookie(request)
    User.objects.filter(pk=alice.pk).update(is_active=False)

    # then
    assert user == alice
    assert user_from_cookie(request) is None
    assert user_from_cookie(expired) is None
    assert user_from_cookie(rf.get("/")) is None


# --- the brute-force counters ----------------------------------------------------------------


def test_failure_counts_per_username_and_address(settings) -> None:
    # given
    settings.LOGIN_MAX_FAILURES_PER_USER = 2
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3

    # when
    login_failure_record(username="Alice", address="10.0.0.1")
    login_failure_record(username="alice", address="10.0.0.2")
    login_failure_record(username="bob", address="10.0.0.1")
    login_failure_record(username="carol", address="10.0.0.1")

    # then usernames count case-insensitively, addresses across usernames
    assert login_attempt_allowed(username="ALICE", address="10.0.0.9") is False
    assert login_attempt_allowed(username="dave", address="10.0.0.1") is False
    assert login_attempt_allowed(username="bob", address="10.0.0.2") is True
    assert _ttl("login-failures:user:alice") in (899, 900)


def test_success_clears_only_the_username(settings) -> None:
    # given
    settings.LOGIN_MAX_FAILURES_PER_USER = 1
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 1
    login_failure_record(username="alice", address="10.0.0.1")

    # when
    login_success_record(username="alice")

    # then
    assert login_attempt_allowed(username="alice", address="10.0.0.2") is True
    assert login_attempt_allowed(username="alice", address="10.0.0.1") is False


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),
    ],
)
def test_client_address_behind_trusted_proxies(
    rf: RequestFactory, settings, proxies: int, forwarded: str, expected: str
) -> None:
    # given
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    # when / then
    assert client_address(request) == expected


def test_module_exports_the_cookie_name() -> None:
    assert credentials.COOKIE_NAME == "CW_CREDENTIALS"
