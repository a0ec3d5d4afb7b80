"""Administrators (the role) hold every model permission, so the Django admin works for them."""

from typing import Any

from django.contrib.auth.backends import BaseBackend

from apps.accounts.models import Role, User
from apps.accounts.services import user_roles

CACHE_ATTRIBUTE = "_is_platform_administrator"


def _is_administrator(user: Any) -> bool:
    if not isinstance(user, User) or not user.is_active:
        return False
    if not hasattr(user, CACHE_ATTRIBUTE):
        # The admin asks for permissions many times per page: read the roles once.
        setattr(user, CACHE_ATTRIBUTE, Role.ADMINISTRATOR in user_roles(user))
    return bool(getattr(user, CACHE_ATTRIBUTE))


class AdministratorRoleBackend(BaseBackend):
    """Grants nothing to sign in; answers permission questions for the Administrator role."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return _is_administrator(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return _is_administrator(user_obj)
