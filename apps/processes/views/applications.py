"""The developer's applications: the list, one application's page, and what they may do with it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.permissions import authenticated_user
from apps.ogc.errors import ApplicationError
from apps.processes.diffs import pretty_json
from apps.processes.models import Process, ProcessRevision
from apps.processes.selectors import process_statistics, processes_of_developer
from apps.processes.services import (
    pending_revision_among,
    process_may_submit,
    process_may_withdraw,
    process_submit,
    process_undeploy,
    process_withdraw,
)
from apps.processes.views.common import (
    APPLICATIONS_PER_PAGE,
    _application_or_404,
    _back_or,
    developer_required,
)
from apps.processes.views.statistics import statistics_summary


@dataclass(frozen=True)
class ApplicationRow:
    """One application as its developer follows it: where it stands and what they may do."""

    process: Process
    pending: ProcessRevision | None
    revision_count: int
    last_change: datetime
    may_submit: bool
    may_withdraw: bool


def _application_row(process: Process, revisions: list[ProcessRevision]) -> ApplicationRow:
    pending = pending_revision_among(revisions)
    return ApplicationRow(
        process=process,
        pending=pending,
        revision_count=len(revisions),
        last_change=max([process.updated_at, *(revision.created_at for revision in revisions)]),
        may_submit=process_may_submit(process, pending),
        may_withdraw=process_may_withdraw(process, pending),
    )


@developer_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = processes_of_developer(authenticated_user(request))
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [_application_row(process, list(process.revisions.all())) for process in page]
    context = {"page": page, "rows": rows}
    return render(request, "processes/developer/application_list.html", context)


@developer_required
def application_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    process = _application_or_404(authenticated_user(request), identifier)
    revisions = list(
        process.revisions.select_related("created_by", "reviewed_by").order_by("-number")
    )
    context = {
        "process": process,
        "row": _application_row(process, revisions),
        "revisions": revisions,
        "statistics": statistics_summary(process_statistics(process)),
        "unit_json": pretty_json(process.execution_unit),
    }
    return render(request, "processes/developer/application_detail.html", context)


def _application_action(
    request: HttpRequest, identifier: str, action: Callable[..., Any], done: str
) -> HttpResponse:
    """Run a submit or withdraw service; say what happened or why it was refused."""
    process = _application_or_404(authenticated_user(request), identifier)
    try:
        action(user=authenticated_user(request), process=process)
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, done.format(title=process.title))
    return _back_or(request, reverse("developer:application", args=[process.identifier]))


@developer_required
@require_POST
def application_submit(request: HttpRequest, identifier: str) -> HttpResponse:
    return _application_action(
        request,
        identifier,
        process_submit,
        "{title} is submitted for review; an administrator will publish it or tell you why not.",
    )


@developer_required
@require_POST
def application_withdraw(request: HttpRequest, identifier: str) -> HttpResponse:
    return _application_action(
        request, identifier, process_withdraw, "{title} is no longer waiting for review."
    )


@developer_required
def application_undeploy(request: HttpRequest, identifier: str) -> HttpResponse:
    """Ask, then remove the application; its jobs keep their results."""
    user = authenticated_user(request)
    process = _application_or_404(user, identifier)
    if request.method == "POST":
        try:
            process_undeploy(user=user, process=process)
        except ApplicationError as error:
            messages.error(request, error.detail)
            return redirect("developer:application", process.identifier)
        messages.success(request, f"{process.title} is undeployed.")
        return redirect("developer:applications")
    context = {"process": process, "job_count": process.jobs.count()}
    return render(request, "processes/developer/application_undeploy.html", context)
