"""Signed credentials (§8.2): the CW_CREDENTIALS cookie and the keys that verify it.

The cookie value is a compact JWS (RFC 7515, `EdDSA` over Ed25519) whose payload is
exactly the credentials JSON of §8.2. Any server holding the public key published at
`/auth/keys` (a JWK Set) can verify it offline; nothing else is needed.
"""

import base64
import hashlib
import ipaddress
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache as shared_cache
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.services import user_roles
from apps.accounts.throttling import (
    client_address,
    login_attempt_allowed,
    login_failure_record,
    login_success_record,
)

COOKIE_NAME = "CW_CREDENTIALS"
ALGORITHM = "EdDSA"


class CredentialsStatus(StrEnum):
    OKAY = "credentialsOkay"
    NONE = "noCredentials"
    EXPIRED = "credentialsExpired"
    INVALID = "credentialsInvalid"


class LoginStatus(StrEnum):
    SUCCESSFUL = "loginSuccessful"
    FAILED = "loginFailed"
    TOO_FREQUENT = "loginAttemptsTooFrequent"


@dataclass(frozen=True)
class CredentialsCheck:
    status: CredentialsStatus
    credentials: dict[str, Any] | None = None


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login; `user`, `credentials` and `token` are set only on success."""

    status: LoginStatus
    user: User | None = None
    credentials: dict[str, Any] | None = None
    token: str | None = None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return _b64url(hashlib.sha256(_raw_public_bytes(key)).digest())[:16]


def _generate_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(pem)


@cache
def signing_key() -> Ed25519PrivateKey:
    """The platform's private key: from settings, or a file generated on first use."""
    pem = settings.CREDENTIALS_PRIVATE_KEY.encode()
    if not pem:
        path = Path(settings.CREDENTIALS_PRIVATE_KEY_FILE)
        if not path.exists():
            _generate_key_file(path)
        pem = path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("The credentials signing key must be an Ed25519 private key.")
    return key


@cache
def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """Our own public key and those of other trusted authentication servers, by key id."""
    keys = [signing_key().public_key()]
    for pem in settings.CREDENTIALS_EXTRA_PUBLIC_KEYS:
        loaded = serialization.load_pem_public_key(pem.encode())
        if isinstance(loaded, Ed25519PublicKey):
            keys.append(loaded)
    return {key_id(key): key for key in keys}


def public_jwks() -> dict[str, Any]:
    """The trusted public keys as a JWK Set (RFC 7517, OKP keys of RFC 8037)."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": _b64url(_raw_public_bytes(key)),
                "kid": kid,
                "alg": ALGORITHM,
                "use": "sig",
            }
            for kid, key in trusted_public_keys().items()
        ]
    }


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_timestamp(value: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError("A timestamp must be a string.")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("A timestamp must carry its time zone.")
    return moment


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def request_host(request: HttpRequest) -> str:
    """The host name the request was sent to: lower case, no port, no IPv6 brackets."""
    domain, _port = split_domain_port(request.get_host())
    return domain.strip("[]")


def credentials_domain(request: HttpRequest) -> str:
    """The configured domain, else the second-level domain of the host the request used."""
    if settings.CREDENTIALS_DOMAIN:
        return str(settings.CREDENTIALS_DOMAIN).lower().strip(".")
    host = request_host(request)
    labels = host.split(".")
    if len(labels) <= 2 or is_ip_address(host):
        return host
    return ".".join(labels[-2:])


def host_in_credentials_domain(host: str, request: HttpRequest) -> bool:
    """Whether `host` is the credentials domain or one of its subdomains (never for an IP)."""
    host = host.lower().strip("[]").rstrip(".")
    domain = credentials_domain(request)
    if not host or not domain:
        return False
    return host == domain or (not is_ip_address(domain) and host.endswith("." + domain))


def credentials_for(user: User, request: HttpRequest) -> dict[str, Any]:
    """The §8.2 credentials document for a freshly authenticated user."""
    now = datetime.now(UTC)
    document: dict[str, Any] = {
        "domain": credentials_domain(request),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "eMailAddress": user.email,
        "username": user.username,
        "roles": user_roles(user),
        "authTime": _timestamp(now),
        "expires": _timestamp(now + timedelta(seconds=settings.CREDENTIALS_LIFETIME_SECONDS)),
        "loginId": secrets.token_urlsafe(6),
        "originServer": request.build_absolute_uri(reverse("auth:operation")),
    }
    return {key: value for key, value in document.items() if value not in ("", None)}


def credentials_sign(document: dict[str, Any]) -> str:
    key = signing_key()
    payload = json.dumps(document, separators=(",", ":")).encode()
    return jwt.api_jws.encode(
        payload, key, algorithm=ALGORITHM, headers={"kid": key_id(key.public_key())}
    )


def credentials_verify(
    token: str | None, *, public_keys: dict[str, Ed25519PublicKey] | None = None
) -> CredentialsCheck:
    """Check a cookie value: okay, expired (signature good, past `expires`), or invalid."""
    if not token:
        return CredentialsCheck(CredentialsStatus.NONE)
    keys = trusted_public_keys() if public_keys is None else public_keys
    try:
        header = jwt.api_jws.get_unverified_header(token)
        key = keys.get(str(header.get("kid")))
        if key is None:
            return CredentialsCheck(CredentialsStatus.INVALID)
        payload = jwt.api_jws.decode(token, key=key, algorithms=[ALGORITHM])
        document = json.loads(payload)
        if not isinstance(document, dict):
            return CredentialsCheck(CredentialsStatus.INVALID)
        expires = _parse_timestamp(document["expires"])
        username = document["username"]
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError):
        return CredentialsCheck(CredentialsStatus.INVALID)
    if not isinstance(username, str) or not username or _is_revoked(document.get("loginId")):
        return CredentialsCheck(CredentialsStatus.INVALID)
    if expires <= datetime.now(UTC):
        return CredentialsCheck(CredentialsStatus.EXPIRED, document)
    return CredentialsCheck(CredentialsStatus.OKAY, document)


def _revocation_key(login_id: str) -> str:
    return f"credentials-revoked:{login_id}"


def _is_revoked(login_id: object) -> bool:
    return isinstance(login_id, str) and shared_cache.get(_revocation_key(login_id)) is not None


def credentials_revoke(document: dict[str, Any]) -> None:
    """Refuse these credentials here from now on, even if a copy of the cookie survives."""
    login_id = document.get("loginId")
    if not isinstance(login_id, str):
        return
    remaining = _parse_timestamp(document["expires"]) - datetime.now(UTC)
    if remaining.total_seconds() > 0:
        shared_cache.set(_revocation_key(login_id), 1, timeout=int(remaining.total_seconds()) + 1)


def credentials_login(*, request: HttpRequest, username: str, password: str) -> LoginOutcome:
    """Check a username and password under the brute-force limits; sign credentials if right.

    The limits are checked before the password, so once a username or a client address has
    failed too often even the right password is refused until the window passes. Inactive
    users fail like a wrong password; users still waiting for approval succeed (the approval
    gate applies where they go next). A success clears the username's failure count.
    """
    address = client_address(request)
    if not login_attempt_allowed(username=username, address=address):
        return LoginOutcome(LoginStatus.TOO_FREQUENT)
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        login_failure_record(username=username, address=address)
        return LoginOutcome(LoginStatus.FAILED)
    login_success_record(username=username)
    document = credentials_for(user, request)
    return LoginOutcome(LoginStatus.SUCCESSFUL, user, document, credentials_sign(document))


def credentials_logout(*, token: str | None) -> None:
    """Revoke the credentials in a cookie value, if they are ours and not yet revoked."""
    check = credentials_verify(token)
    if check.credentials is not None:
        credentials_revoke(check.credentials)


def user_from_cookie(request: HttpRequest) -> User | None:
    """The active user named by valid, unexpired credentials in the request's cookie."""
    check = credentials_verify(request.COOKIES.get(COOKIE_NAME))
    if check.status is not CredentialsStatus.OKAY or check.credentials is None:
        return None
    return User.objects.filter(username=check.credentials["username"], is_active=True).first()
