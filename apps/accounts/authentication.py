"""How API clients prove who they are: bearer tokens, HTTP Basic, the credentials cookie."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.accounts import credentials
from apps.accounts.models import User
from apps.accounts.services import api_token_authenticate
from apps.accounts.throttling import (
    client_address,
    login_attempt_allowed,
    login_failure_record,
    login_success_record,
)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer tep_…` with a personal API token."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        if not secret:
            raise exceptions.AuthenticationFailed("No token given after 'Bearer'.")
        user = api_token_authenticate(secret=secret)
        if user is None:
            raise exceptions.AuthenticationFailed("The token is unknown, revoked or expired.")
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class ThrottledBasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic, under the same brute-force limits as the credentials service."""

    def authenticate_credentials(
        self, userid: str, password: str, request: HttpRequest | None = None
    ) -> tuple[Any, None]:
        address = client_address(request) if request is not None else ""
        if not login_attempt_allowed(username=userid, address=address):
            raise exceptions.Throttled(detail="Too many failed sign-in attempts; try later.")
        user = authenticate(request=request, username=userid, password=password)
        if user is None or not user.is_active:
            login_failure_record(username=userid, address=address)
            raise exceptions.AuthenticationFailed("Invalid username or password.")
        login_success_record(username=userid)
        return user, None


class CredentialsCookieAuthentication(authentication.SessionAuthentication):
    """The signed CW_CREDENTIALS cookie issued by /auth/login (§8.2).

    Browsers send the cookie by themselves, so unsafe requests must carry the CSRF token,
    exactly as with the session.
    """

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        user = credentials.user_from_cookie(request._request)
        if user is None:
            return None
        self.enforce_csrf(request)
        return user, None
