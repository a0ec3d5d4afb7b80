"""The authentication server of §8.3: login, logout and getCredentials in JSON, XML or HTML.

Each operation answers with a status (also sent as the `CwAuth-Status` header). A
`callback` must stay on this platform's domain, and cross-origin callers must come from
it too; anything else is refused before anything happens.
"""

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

from apps.accounts import credentials
from apps.accounts.credentials import COOKIE_NAME, CredentialsStatus
from apps.accounts.models import User
from apps.accounts.throttling import (
    client_address,
    login_attempt_allowed,
    login_failure_record,
    login_success_record,
)
from apps.ogc.exceptions import PROBLEM_JSON, problem

STATUS_HEADER = "CwAuth-Status"
LOGIN_SUCCESSFUL = "loginSuccessful"
LOGIN_FAILED = "loginFailed"
LOGIN_TOO_FREQUENT = "loginAttemptsTooFrequent"
LOGOUT_SUCCESSFUL = "logoutSuccessful"

HTTP_STATUS = {LOGIN_FAILED: 401, LOGIN_TOO_FREQUENT: 429}
XML_NAMES = {
    "domain": "Domain",
    "firstName": "FirstName",
    "lastName": "LastName",
    "eMailAddress": "EMailAddress",
    "username": "Username",
    "authTime": "AuthTime",
    "expires": "Expires",
    "loginId": "LoginId",
    "hasMaxSeats": "HasMaxSeats",
    "originServer": "OriginServer",
}


class RefusedError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _parameter(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _format(request: HttpRequest) -> str:
    requested = _parameter(request, "format").upper()
    if requested in ("JSON", "XML", "HTML"):
        return requested
    if requested:
        raise RefusedError(400, f"Unknown format {requested!r}; use JSON, XML or HTML.")
    return "HTML" if "text/html" in request.headers.get("Accept", "") else "JSON"


def _host_in_domain(host: str, domain: str) -> bool:
    host = host.lower().rstrip(".")
    return bool(domain) and (host == domain or host.endswith("." + domain))


def _trusted_host(request: HttpRequest, host: str) -> bool:
    domain = credentials.credentials_domain(request).lower()
    own_host = request.get_host().rsplit(":", 1)[0].lower()
    return (
        host == own_host
        or host in settings.CREDENTIALS_ALLOWED_CALLBACK_HOSTS
        or _host_in_domain(host, domain)
    )


def _checked_callback(request: HttpRequest) -> str | None:
    callback = _parameter(request, "callback")
    if not callback:
        return None
    parts = urlsplit(callback)
    trusted = bool(parts.hostname) and _trusted_host(request, str(parts.hostname))
    safe = url_has_allowed_host_and_scheme(
        callback, allowed_hosts={parts.netloc} if trusted else set(), require_https=False
    )
    if not safe or parts.username or parts.password or "\\" in callback:
        raise RefusedError(400, "The callback must lead back to this platform's domain.")
    return callback


def _check_origin(request: HttpRequest) -> str | None:
    origin = request.headers.get("Origin")
    if not origin:
        return None
    host = urlsplit(origin).hostname or ""
    if not _trusted_host(request, host.lower()):
        raise RefusedError(403, f"Cross-origin requests from {origin} are not allowed.")
    return origin


def _with_cors(response: HttpResponse, origin: str | None) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
        response["Vary"] = "Origin"
    return response


def _xml(status: str, document: dict[str, Any] | None) -> bytes:
    root = ElementTree.Element("CwAuthResponse")
    ElementTree.SubElement(root, "Status").text = status
    if document is not None:
        element = ElementTree.SubElement(root, "CwCredentials")
        for key, value in document.items():
            if key == "roles":
                for role in value:
                    ElementTree.SubElement(element, "Role").text = role
            elif key in XML_NAMES:
                ElementTree.SubElement(element, XML_NAMES[key]).text = str(value)
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _answer(
    request: HttpRequest,
    status: str,
    document: dict[str, Any] | None,
    *,
    output_format: str,
    template: str,
    callback: str | None = None,
    redirect_to_callback: bool = False,
) -> HttpResponse:
    http_status = HTTP_STATUS.get(status, 200)
    response: HttpResponse
    if output_format == "JSON":
        body: dict[str, Any] = {"status": status}
        if document is not None:
            body["credentials"] = document
        response = JsonResponse(body, status=http_status)
    elif output_format == "XML":
        response = HttpResponse(_xml(status, document), "application/xml", status=http_status)
    elif redirect_to_callback and callback:
        response = HttpResponseRedirect(callback)
    else:
        context = {"status": status, "credentials": document, "callback": callback}
        response = render(request, template, context, status=http_status)
    response[STATUS_HEADER] = status
    return response


def _refusal(request: HttpRequest, error: RefusedError) -> HttpResponse:
    document = problem(error.status, error.detail)
    requested = _parameter(request, "format").upper()
    browser = "text/html" in request.headers.get("Accept", "")
    if requested == "HTML" or (browser and not requested):
        return render(request, "error.html", {"problem": document}, status=error.status)
    return JsonResponse(document, status=error.status, content_type=PROBLEM_JSON)


def _preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "600"
    return response


def _operation(
    handler: Callable[[HttpRequest, str, str | None], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Common checks of every operation: method, origin, format and callback."""

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "POST", "OPTIONS"):
            error = RefusedError(405, "Use GET or POST.")
            return _refusal(request, error)
        try:
            origin = _check_origin(request)
            if request.method == "OPTIONS":
                return _with_cors(_preflight(request), origin)
            output_format = _format(request)
            callback = _checked_callback(request)
        except RefusedError as error:
            return _refusal(request, error)
        return _with_cors(handler(request, output_format, callback), origin)

    view.__name__ = handler.__name__
    return view


def _cookie_domain(request: HttpRequest) -> str | None:
    """The credentials domain for a real dotted domain name; None (host-only) otherwise."""
    domain = credentials.credentials_domain(request)
    is_address = domain.replace(".", "").isdigit() or ":" in domain
    return domain if "." in domain and not is_address else None


def _set_cookie(request: HttpRequest, response: HttpResponse, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.CREDENTIALS_LIFETIME_SECONDS,
        domain=_cookie_domain(request),
        secure=settings.CREDENTIALS_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _login(request: HttpRequest, output_format: str, callback: str | None) -> HttpResponse:
    username = _parameter(request, "username")
    address = client_address(request)
    reply = partial(
        _answer,
        request,
        output_format=output_format,
        template="accounts/credentials/login.html",
        callback=callback,
    )
    if not login_attempt_allowed(username=username, address=address):
        return reply(LOGIN_TOO_FREQUENT, None)
    password = request.POST.get("password") or request.GET.get("password") or ""
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        login_failure_record(username=username, address=address)
        return reply(LOGIN_FAILED, None)
    login_success_record(username=username)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    document = credentials.credentials_for(user, request)
    response = reply(LOGIN_SUCCESSFUL, document, redirect_to_callback=True)
    _set_cookie(request, response, credentials.credentials_sign(document))
    return response


def _logout(request: HttpRequest, output_format: str, callback: str | None) -> HttpResponse:
    check = credentials.credentials_verify(request.COOKIES.get(COOKIE_NAME))
    if check.credentials is not None:
        credentials.credentials_revoke(check.credentials)
    logout(request)
    response = _answer(
        request,
        LOGOUT_SUCCESSFUL,
        None,
        output_format=output_format,
        template="accounts/credentials/logout.html",
        callback=callback,
        redirect_to_callback=True,
    )
    response.delete_cookie(COOKIE_NAME, domain=_cookie_domain(request), samesite="Lax")
    return response


def _get_credentials(
    request: HttpRequest, output_format: str, callback: str | None
) -> HttpResponse:
    check = credentials.credentials_verify(request.COOKIES.get(COOKIE_NAME))
    shown = (
        check.credentials
        if check.status
        in (
            CredentialsStatus.OKAY,
            CredentialsStatus.EXPIRED,
        )
        else None
    )
    return _answer(
        request,
        check.status.value,
        shown,
        output_format=output_format,
        template="accounts/credentials/credentials.html",
        callback=callback,
    )


login_view = _operation(_login)
logout_view = _operation(_logout)
get_credentials_view = _operation(_get_credentials)

OPERATIONS = {
    "login": login_view,
    "logout": logout_view,
    "getcredentials": get_credentials_view,
}


@csrf_exempt
def operation_view(request: HttpRequest) -> HttpResponse:
    """The single-endpoint form: `/auth/?operation=login|logout|getCredentials`."""
    name = _parameter(request, "operation").lower()
    view = OPERATIONS.get(name)
    if view is None:
        known = "login, logout or getCredentials"
        return _refusal(request, RefusedError(400, f"Unknown operation {name!r}; use {known}."))
    return view(request)


def keys_view(request: HttpRequest) -> HttpResponse:
    """The public keys that verify credentials cookies, as a JWK Set."""
    response = JsonResponse(credentials.public_jwks(), content_type="application/jwk-set+json")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
