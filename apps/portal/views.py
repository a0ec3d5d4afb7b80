from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.permissions import page_access_required
from apps.processes.services import user_may_deploy


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@page_access_required(user_may_deploy, "Developer mode is for developers.")
def developer(request: HttpRequest) -> HttpResponse:
    """Developer mode (§21.1.1): where developers package, submit and follow their apps."""
    return render(request, "portal/developer.html")
