from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.processes.views.common import developer_required


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@developer_required
def developer(request: HttpRequest) -> HttpResponse:
    """Developer mode (§21.1.1): where developers package, submit and follow their apps."""
    return render(request, "portal/developer.html")
