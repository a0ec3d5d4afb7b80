from typing import Any

from django.http import HttpRequest

from apps.accounts.models import Role
from apps.accounts.services import user_roles


def modes(request: HttpRequest) -> dict[str, Any]:
    """Which modes of the web client (§21.1) the signed-in user may use."""
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None and user.is_authenticated else []
    approved = bool(user is not None and user.is_authenticated and user.is_approved)
    return {
        "user_roles": roles,
        "mode_user": approved,
        "mode_developer": approved and (Role.DEVELOPER in roles or Role.ADMINISTRATOR in roles),
        "mode_admin": approved and Role.ADMINISTRATOR in roles,
    }
