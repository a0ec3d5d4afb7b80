"""Personal API tokens: list, create (the secret is shown once) and revoke."""

from collections.abc import Callable
from datetime import UTC, datetime, time
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import TokenCreateForm
from apps.accounts.permissions import authenticated_user
from apps.ogc.errors import ApplicationError

View = Callable[..., HttpResponse]


def approved_user_required(view: View) -> View:
    """Signed in and approved; /accounts/ pages stay open to unapproved users otherwise."""

    @login_required
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not authenticated_user(request).is_approved:
            return redirect("accounts:pending")
        return view(request, *args, **kwargs)

    return checked


@approved_user_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The caller's API tokens; a new token's secret is shown once, right after creation."""
    owner = authenticated_user(request)
    form = TokenCreateForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        # A token "expires on" a day: it works until the end of that day.
        expires_at = datetime.combine(expires_on, time.max, tzinfo=UTC) if expires_on else None
        try:
            _token, new_secret = services.api_token_create(
                user=owner, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ApplicationError as error:
            form.add_error("name", error.detail)
        else:
            form = TokenCreateForm()
    context = {"tokens": selectors.api_token_list(user=owner), "form": form, "secret": new_secret}
    response = render(request, "accounts/token_list.html", context)
    if new_secret:
        # The secret must not linger in a browser or proxy cache.
        response["Cache-Control"] = "no-store"
    return response


@approved_user_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_list(user=authenticated_user(request)).filter(pk=token_id).first()
    if token is None:
        raise Http404("You have no active token with this id.")
    services.api_token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("accounts:tokens")
