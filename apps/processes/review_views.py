"""The administrators' application review queue (§6.8 note) as pages.

An administrator sees what each submission would change: the checks of `package_review`
and, for a published application, a diff of its package against the published one. The
queue shows the checks as they were found at submission; an application's own page runs
them again.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import authenticated_user, page_access_required
from apps.accounts.services import user_has_role
from apps.ogc.errors import ApplicationError
from apps.processes.diffs import pretty_json, revision_diff, revision_document
from apps.processes.models import Process, ProcessRevision, ProcessState
from apps.processes.packages import ReviewCheck, package_review
from apps.processes.selectors import processes_awaiting_review
from apps.processes.services import (
    process_publish,
    process_reject,
    process_under_review,
    revision_under_review_among,
)

REVIEWS_PER_PAGE = 25


reviewer_required = page_access_required(
    lambda user: user_has_role(user, Role.ADMINISTRATOR),
    "Only administrators review applications.",
)


@dataclass(frozen=True)
class ReviewItem:
    """An application waiting for review: the revision the reviewer is asked to publish,
    and what `package_review` found in it."""

    process: Process
    revision: ProcessRevision | None
    checks: list[ReviewCheck]

    @property
    def is_new_application(self) -> bool:
        return self.process.state != ProcessState.PUBLISHED

    @property
    def failed_checks(self) -> int:
        return sum(not check.passed for check in self.checks)


def _queued_item(process: Process) -> ReviewItem:
    """A row of the queue: the checks as they were found when the revision was submitted."""
    revision = revision_under_review_among(process, process.revisions.all())
    checks = [ReviewCheck(**check) for check in revision.review_checks] if revision else []
    return ReviewItem(process, revision, checks)


def _reviewed_item(process: Process) -> ReviewItem:
    """The application being reviewed, its checks run again now."""
    revision = process_under_review(process)
    checks = package_review(revision.description, revision.execution_unit) if revision else []
    return ReviewItem(process, revision, checks)


@reviewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    awaiting = processes_awaiting_review()
    page = Paginator(awaiting, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    items = [_queued_item(process) for process in page]
    return render(request, "processes/review/review_queue.html", {"page": page, "items": items})


@reviewer_required
def review_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    process = get_object_or_404(
        Process.objects.select_related("owner", "live_revision"), identifier=identifier
    )
    item = _reviewed_item(process)
    if item.revision is None:
        messages.info(request, f"{process.title} has nothing waiting for review.")
        return redirect("review:queue")
    published = None if item.is_new_application else process.live_revision
    context = {
        "process": process,
        "item": item,
        "revision": item.revision,
        "published": published,
        "diff": revision_diff(published, item.revision) if published else [],
        "package_json": pretty_json(revision_document(item.revision)),
    }
    return render(request, "processes/review/review_detail.html", context)


def _review_action(
    request: HttpRequest, identifier: str, action: Callable[[Process], object], done: str
) -> HttpResponse:
    """Publish or reject: back to the queue saying so, or to the application saying why not."""
    process = get_object_or_404(Process, identifier=identifier)
    try:
        action(process)
    except ApplicationError as error:
        messages.error(request, error.detail)
        return redirect("review:application", identifier)
    messages.success(request, done.format(title=process.title))
    return redirect("review:queue")


@reviewer_required
@require_POST
def review_publish(request: HttpRequest, identifier: str) -> HttpResponse:
    user = authenticated_user(request)
    return _review_action(
        request,
        identifier,
        lambda process: process_publish(user=user, process=process),
        "{title} is published; its users are told.",
    )


@reviewer_required
@require_POST
def review_reject(request: HttpRequest, identifier: str) -> HttpResponse:
    user, reason = authenticated_user(request), request.POST.get("reason", "")
    return _review_action(
        request,
        identifier,
        lambda process: process_reject(user=user, process=process, reason=reason),
        "{title} is rejected; its developer sees your reason.",
    )
