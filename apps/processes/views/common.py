"""What the Developer mode pages share: who may use them, and the application a page is about."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from apps.accounts.models import Role, User
from apps.accounts.permissions import page_access_required
from apps.accounts.services import user_has_role
from apps.processes.models import Process
from apps.processes.services import user_may_deploy

APPLICATIONS_PER_PAGE = 20


developer_required = page_access_required(user_may_deploy, "Developer mode is for developers.")


def _application_or_404(user: User, identifier: str) -> Process:
    """A deployed application its developer, or an administrator, may manage."""
    process = get_object_or_404(
        Process.objects.select_related("owner", "live_revision"), identifier=identifier
    )
    is_manager = process.owner_id == user.pk or user_has_role(user, Role.ADMINISTRATOR)
    if not process.is_deployed or not is_manager:
        raise Http404(f"You have no application {identifier!r}.")
    return process


def _back_or(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (a `next` field on this site), else `fallback`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)
