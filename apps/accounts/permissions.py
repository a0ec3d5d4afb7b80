from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role

if TYPE_CHECKING:
    from rest_framework.views import APIView


def authenticated_user(request: "Request | HttpRequest") -> User:
    """The caller of a view whose permissions already required a signed-in user."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


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
