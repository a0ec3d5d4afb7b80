from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    """The only page an unapproved user reaches."""
    if getattr(request.user, "is_approved", False):
        return redirect("portal:home")
    return render(request, "accounts/pending.html")
