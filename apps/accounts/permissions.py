from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role

if TYPE_CHECKING:
    from rest_framework.views import APIView

View = Callable[..., HttpResponse]


def authenticated_user(request: "Request | HttpRequest") -> User:
    """The caller of a view whose permissions already required a signed-in user."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def page_access_required(allowed: Callable[[User], bool], message: str) -> Callable[[View], View]:
    """A decorator of page views: the caller signs in first, then `allowed` must admit them;
    anyone else gets 403 with `message`."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or not allowed(user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return checked

    return decorator


class IsApprovedUser(BasePermission):
    """Signed in, active, and approved by an administrator."""

    message = "Sign in with an approved account to use this API."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_approved)


class IsAdministrator(BasePermission):
    message = "Only administrators may do this."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user_has_role(user, Role.ADMINISTRATOR)
        )
