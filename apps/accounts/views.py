from datetime import UTC, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import TokenCreateForm
from apps.accounts.models import ApiToken
from apps.accounts.permissions import authenticated_user
from apps.ogc.errors import ApplicationError


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    """The only page an unapproved user reaches."""
    if getattr(request.user, "is_approved", False):
        return redirect("portal:home")
    return render(request, "accounts/pending.html")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The caller's API tokens; a new token's secret is shown once, right after creation."""
    owner = authenticated_user(request)
    form = TokenCreateForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
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
    return render(request, "accounts/token_list.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(
        ApiToken, pk=token_id, user=authenticated_user(request), revoked_at__isnull=True
    )
    services.api_token_revoke(token=token)
    messages.success(request, f"The token {token.name!r} is revoked.")
    return redirect("accounts:tokens")
