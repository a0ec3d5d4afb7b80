"""The authentication server of §8.3: login, logout and getCredentials in JSON, XML or HTML.

Each operation answers with a status, also sent as the `CwAuth-Status` header. A `callback`
must lead back to this host, the credentials domain or a configured host, and a cross-origin
caller must come from this host or the credentials domain; anything else is refused before
anything happens. The views are CSRF-exempt because the spec lets other applications of the
domain call them (Ajax, plain GET); the origin rule is what keeps other sites out.
"""

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from apps.accounts import credentials
from apps.accounts.credentials import COOKIE_NAME, CredentialsStatus, LoginStatus
from apps.ogc.exceptions import PROBLEM_JSON, problem

STATUS_HEADER = "CwAuth-Status"
LOGOUT_SUCCESSFUL = "logoutSuccessful"
ALLOWED_METHODS = "GET, POST, OPTIONS"
JWK_SET_JSON = "application/jwk-set+json"

LOGIN_TEMPLATE = "accounts/credentials/login.html"
LOGOUT_TEMPLATE = "accounts/credentials/logout.html"
CREDENTIALS_TEMPLATE = "accounts/credentials/credentials.html"

HTTP_STATUS = {LoginStatus.FAILED.value: 401, LoginStatus.TOO_FREQUENT.value: 429}

# The §8.3 element order; `roles` becomes one <Role> per role.
XML_ELEMENTS = (
    ("domain", "Domain"),
    ("firstName", "FirstName"),
    ("lastName", "LastName"),
    ("eMailAddress", "EMailAddress"),
    ("username", "Username"),
    ("roles", "Role"),
    ("authTime", "AuthTime"),
    ("expires", "Expires"),
    ("loginId", "LoginId"),
    ("hasMaxSeats", "HasMaxSeats"),
    ("originServer", "OriginServer"),
)


class Format(StrEnum):
    JSON = "JSON"
    XML = "XML"
    HTML = "HTML"


@dataclass(frozen=True)
class Call:
    """What every operation was asked for besides its own parameters."""

    output_format: Format
    callback: str | None


class RefusedError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


Handler = Callable[[HttpRequest, Call], HttpResponse]


def _parameter(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _password(request: HttpRequest) -> str:
    # Not stripped: spaces may be part of a password.
    return request.POST.get("password") or request.GET.get("password") or ""


def _browser_asked(request: HttpRequest) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def _output_format(request: HttpRequest) -> Format:
    requested = _parameter(request, "format").upper()
    if not requested:
        return Format.HTML if _browser_asked(request) else Format.JSON
    if requested not in Format.__members__:
        raise RefusedError(400, f"Unknown format {requested!r}; use JSON, XML or HTML.")
    return Format(requested)


def _trusted_callback_host(request: HttpRequest, host: str) -> bool:
    allowed_hosts = {name.lower() for name in settings.CREDENTIALS_ALLOWED_CALLBACK_HOSTS}
    return (
        host == credentials.request_host(request)
        or host in allowed_hosts
        or credentials.host_in_credentials_domain(host, request)
    )


def _callback_allowed(request: HttpRequest, callback: str) -> bool:
    # Backslashes, control characters and user-info are where browsers and URL parsers
    # disagree about the host; none of them belongs in a callback.
    if "\\" in callback or any(ord(character) < 0x20 for character in callback):
        return False
    parts = urlsplit(callback)
    if "@" in parts.netloc:
        return False
    if parts.netloc:
        host = (parts.hostname or "").rstrip(".")
        if not _trusted_callback_host(request, host):
            return False
    return url_has_allowed_host_and_scheme(
        callback, allowed_hosts={parts.netloc}, require_https=request.is_secure()
    )


def _checked_callback(request: HttpRequest) -> str | None:
    callback = _parameter(request, "callback")
    if not callback:
        return None
    if not _callback_allowed(request, callback):
        raise RefusedError(400, "The callback must lead back to this platform's domain.")
    return callback


def _allowed_origin(request: HttpRequest) -> str | None:
    """The caller's origin when it may use this server cross-origin; None without one."""
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    parts = urlsplit(origin)
    host = (parts.hostname or "").rstrip(".")
    same_domain = host == credentials.request_host(request) or (
        credentials.host_in_credentials_domain(host, request)
    )
    if parts.scheme not in ("http", "https") or not same_domain:
        raise RefusedError(403, f"Requests from origin {origin} are not allowed here.")
    return origin


def _is_cross_site_navigation(request: HttpRequest) -> bool:
    # A cross-site form POST carries an Origin header; a cross-site link or redirect does
    # not, but browsers mark it with Sec-Fetch-Site.
    return "Origin" not in request.headers and request.headers.get("Sec-Fetch-Site") == "cross-site"


def _xml(status: str, document: dict[str, Any] | None) -> bytes:
    root = ElementTree.Element("CwAuthResponse")
    ElementTree.SubElement(root, "Status").text = status
    if document is not None:
        element = ElementTree.SubElement(root, "CwCredentials")
        for key, tag in XML_ELEMENTS:
            value = document.get(key)
            values = value if isinstance(value, list) else [] if value is None else [value]
            for item in values:
                text = str(item).lower() if isinstance(item, bool) else str(item)
                ElementTree.SubElement(element, tag).text = text
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _answer(
    request: HttpRequest,
    status: str,
    document: dict[str, Any] | None,
    call: Call,
    *,
    template: str,
    redirect_to_callback: bool = False,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The status (and credentials) in the requested format, with the status header."""
    status = str(status)  # a plain str: WSGI servers refuse str subclasses in headers
    http_status = HTTP_STATUS.get(status, 200)
    response: HttpResponse
    if call.output_format is Format.JSON:
        body: dict[str, Any] = {"status": status}
        if document is not None:
            body["credentials"] = document
        response = JsonResponse(body, status=http_status)
    elif call.output_format is Format.XML:
        response = HttpResponse(_xml(status, document), "application/xml", status=http_status)
    elif redirect_to_callback and call.callback:
        response = HttpResponseRedirect(call.callback)
    else:
        page = {"status": status, "credentials": document, "callback": call.callback}
        response = render(request, template, {**page, **(context or {})}, status=http_status)
    response[STATUS_HEADER] = status
    if status == LoginStatus.TOO_FREQUENT:
        response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return response


def _refusal(request: HttpRequest, error: RefusedError) -> HttpResponse:
    document = problem(error.status, error.detail)
    requested = _parameter(request, "format").upper()
    if requested == Format.HTML or (not requested and _browser_asked(request)):
        return render(request, "error.html", {"problem": document}, status=error.status)
    return JsonResponse(document, status=error.status, content_type=PROBLEM_JSON)


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "600"
    return response


def _operation(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
    """The checks every operation shares: origin, method, format and callback."""

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        origin = None
        try:
            origin = _allowed_origin(request)
            if request.method == "OPTIONS":
                response = _preflight()
            elif request.method in ("GET", "POST"):
                call = Call(_output_format(request), _checked_callback(request))
                response = handler(request, call)
            else:
                raise RefusedError(405, "Use GET or POST.")
        except RefusedError as error:
            response = _refusal(request, error)
            if error.status == 405:
                response["Allow"] = ALLOWED_METHODS
        if origin is not None:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
        patch_vary_headers(response, ["Origin"])
        add_never_cache_headers(response)
        return response

    view.__name__ = view.__qualname__ = handler.__name__.lstrip("_") + "_view"
    view.__doc__ = handler.__doc__
    return view


def _cookie_domain(request: HttpRequest) -> str | None:
    """The credentials domain when it is a dotted name this host belongs to; else host-only."""
    domain = credentials.credentials_domain(request)
    if "." not in domain or credentials.is_ip_address(domain):
        return None
    host = credentials.request_host(request)
    return domain if credentials.host_in_credentials_domain(host, request) else None


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


def _expire_cookie(request: HttpRequest, response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, domain=_cookie_domain(request), samesite="Lax")
    cookie = response.cookies[COOKIE_NAME]
    cookie["httponly"] = True
    cookie["secure"] = settings.CREDENTIALS_COOKIE_SECURE


def _login(request: HttpRequest, call: Call) -> HttpResponse:
    """`login`: check the username and password, then set the CW_CREDENTIALS cookie."""
    username = _parameter(request, "username")
    password = _password(request)
    if call.output_format is Format.HTML and not username and not password:
        # A browser sent here to sign in (§8.2.1): ask rather than report a failure.
        return render(request, LOGIN_TEMPLATE, {"status": None, "callback": call.callback})
    if password and _is_cross_site_navigation(request):
        raise RefusedError(403, "Sign in from this platform's own pages or applications.")
    outcome = credentials.credentials_login(request=request, username=username, password=password)
    if outcome.user is None or outcome.credentials is None or outcome.token is None:
        page = {"username": username}
        return _answer(request, outcome.status, None, call, template=LOGIN_TEMPLATE, context=page)
    login(request, outcome.user)
    response = _answer(
        request,
        outcome.status,
        outcome.credentials,
        call,
        template=LOGIN_TEMPLATE,
        redirect_to_callback=True,
    )
    _set_cookie(request, response, outcome.token)
    return response


def _logout(request: HttpRequest, call: Call) -> HttpResponse:
    """`logout`: expire the cookie, refuse its credentials from now on, end the session."""
    credentials.credentials_logout(token=request.COOKIES.get(COOKIE_NAME))
    logout(request)
    response = _answer(
        request,
        LOGOUT_SUCCESSFUL,
        None,
        call,
        template=LOGOUT_TEMPLATE,
        redirect_to_callback=True,
    )
    _expire_cookie(request, response)
    return response


def _get_credentials(request: HttpRequest, call: Call) -> HttpResponse:
    """`getCredentials`: what the request's CW_CREDENTIALS cookie says, and whether it holds."""
    check = credentials.credentials_verify(request.COOKIES.get(COOKIE_NAME))
    shown = check.status in (CredentialsStatus.OKAY, CredentialsStatus.EXPIRED)
    document = check.credentials if shown else None
    return _answer(request, check.status.value, document, call, template=CREDENTIALS_TEMPLATE)


OPERATIONS: dict[str, Handler] = {
    "login": _login,
    "logout": _logout,
    "getcredentials": _get_credentials,
}


def _dispatch(request: HttpRequest, call: Call) -> HttpResponse:
    """The single-endpoint form: `/auth/?operation=login|logout|getCredentials`."""
    name = _parameter(request, "operation")
    handler = OPERATIONS.get(name.lower())
    if handler is None:
        raise RefusedError(400, f"Unknown operation {name!r}; use login, logout or getCredentials.")
    return handler(request, call)


operation_view = _operation(_dispatch)
login_view = _operation(_login)
logout_view = _operation(_logout)
get_credentials_view = _operation(_get_credentials)


@require_safe
def keys_view(request: HttpRequest) -> HttpResponse:
    """The public keys that verify credentials cookies, as a JWK Set (RFC 7517)."""
    response = JsonResponse(credentials.public_jwks(), content_type=JWK_SET_JSON)
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
