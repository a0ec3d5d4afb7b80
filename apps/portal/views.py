from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def developer(request: HttpRequest) -> HttpResponse:
    """Developer mode (§21.1.1): where developers package, submit and follow their apps."""
    user = request.user
    if not isinstance(user, User) or not (
        user_has_role(user, Role.DEVELOPER) or user_has_role(user, Role.ADMINISTRATOR)
    ):
        raise PermissionDenied("Developer mode is for developers.")
    return render(request, "portal/developer.html")
