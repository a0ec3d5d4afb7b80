"""Request-level identity: the credentials cookie as a sign-in, and the approval gate."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from apps.accounts import credentials
from apps.ogc.exceptions import problem, problem_response

# Paths an unapproved user may still reach: signing in and out, their own account
# pages, the waiting page, the credentials service and static assets.
UNAPPROVED_ALLOWED_PREFIXES = ("/accounts/", "/auth/", "/static/", "/api/schema", "/api/docs")
# Pages under /accounts/ that give access to the platform, so they wait for approval too.
APPROVED_ONLY_PREFIXES = ("/accounts/tokens/",)


class CredentialsCookieMiddleware:
    """Treat a valid CW_CREDENTIALS cookie as a sign-in when there is no session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            user = credentials.user_from_cookie(request)
            if user is not None:
                request.user = user
        return self.get_response(request)


class ApprovalRequiredMiddleware:
    """A signed-in user whose sign-up is not yet approved sees only the waiting page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_approved
            and (
                not request.path.startswith(UNAPPROVED_ALLOWED_PREFIXES)
                or request.path.startswith(APPROVED_ONLY_PREFIXES)
            )
        ):
            return self._blocked(request)
        return self.get_response(request)

    @staticmethod
    def _blocked(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/api/", "/ogcapi/", "/catalogue/", "/services/")):
            detail = "Your account is waiting for an administrator's approval."
            return problem_response(request, problem(403, detail))
        return redirect("accounts:pending")
