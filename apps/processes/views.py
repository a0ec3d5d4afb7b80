"""Developer mode (§21.1.1) as pages: deploy, follow, replace and measure applications.

The pages call the services the JSON API calls (`package_read`, `process_deploy`,
`process_submit`, …), so a package deployed from a form and one posted to
`/ogcapi/processes` meet the same rules and the same refusals.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts.models import Role, User
from apps.accounts.permissions import authenticated_user, page_access_required
from apps.accounts.services import user_has_role
from apps.ogc.errors import ApplicationError, ConflictError
from apps.processes.diffs import pretty_json, revision_document
from apps.processes.forms import (
    GuidedPackage,
    PackageBody,
    PackageFileForm,
    PackageTextForm,
)
from apps.processes.models import Process, ProcessRevision, ProcessState, RevisionState
from apps.processes.packages import PackageError, package_read
from apps.processes.selectors import (
    ProcessStatistics,
    process_statistics,
    processes_of_developer,
)
from apps.processes.services import (
    process_deploy,
    process_pending_revision,
    process_replace,
    process_submit,
    process_undeploy,
    process_withdraw,
    user_may_deploy,
)

UPLOAD, PASTE, GUIDED = "upload", "paste", "guided"
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


# --- Deploying and replacing -----------------------------------------------------------


def _package_deployed(user: User, body: PackageBody) -> tuple[Process | None, list[str]]:
    try:
        package = package_read(body.text, body.media_type)
    except PackageError as error:
        return None, error.problems
    try:
        return process_deploy(user=user, package=package), []
    except ConflictError:
        # The service words this for API clients ("replace it with PUT").
        return None, [
            f"An application {package.identifier!r} exists already: choose another "
            "identifier, or replace its package from its page if it is yours."
        ]
    except ApplicationError as error:
        return None, [error.detail]


def _package_replaced(
    user: User, process: Process, body: PackageBody
) -> tuple[ProcessRevision | None, list[str]]:
    try:
        package = package_read(body.text, body.media_type)
        return process_replace(user=user, process=process, package=package), []
    except PackageError as error:
        return None, error.problems
    except ApplicationError as error:
        return None, [error.detail]


@dataclass
class PackageForms:
    """The ways a page offers to give a package; only the one posted is bound.

    `source` names the way posted, or the page's first one; it is the tab the page opens.
    """

    source: str
    is_posted: bool
    file_form: PackageFileForm
    text_form: PackageTextForm
    guided: GuidedPackage
    moved_upload: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, sources: tuple[str, ...]) -> "PackageForms":
        posted = request.POST.get("source") if request.method == "POST" else None
        source = posted if posted in sources else ""
        data, files = (request.POST, request.FILES) if source else (None, None)
        return cls(
            source=source or sources[0],
            is_posted=bool(source),
            file_form=PackageFileForm(data, files) if source == UPLOAD else PackageFileForm(),
            text_form=PackageTextForm(data) if source == PASTE else PackageTextForm(),
            guided=GuidedPackage(data if source == GUIDED else None),
        )

    def posted_body(self) -> tuple[PackageBody | None, list[str]]:
        """The package posted, or the problems that stop it being read at all."""
        form = self._posted_form()
        if not form.is_valid():
            return None, form.problems()
        return form.body(), []

    def _posted_form(self) -> PackageFileForm | PackageTextForm | GuidedPackage:
        if self.source == UPLOAD:
            return self.file_form
        if self.source == PASTE:
            return self.text_form
        return self.guided

    def keep_upload_as_text(self, body: PackageBody) -> None:
        """A file cannot be handed back in a file field: its text goes to the paste tab."""
        self.text_form = PackageTextForm(initial={"package": body.text})
        self.moved_upload = self.file_form.cleaned_data["package_file"].name
        self.source = PASTE

    def context(self, problems: list[str]) -> dict[str, Any]:
        return {
            "source": self.source,
            "file_form": self.file_form,
            "text_form": self.text_form,
            "guided": self.guided,
            "moved_upload": self.moved_upload,
            "problems": problems,
        }


@developer_required
def application_deploy(request: HttpRequest) -> HttpResponse:
    """Deploy a package uploaded, pasted or built with the guided form."""
    forms = PackageForms.from_request(request, sources=(GUIDED, UPLOAD, PASTE))
    problems: list[str] = []
    if forms.is_posted:
        body, problems = forms.posted_body()
        if body is not None:
            process, problems = _package_deployed(authenticated_user(request), body)
            if process is not None:
                messages.success(
                    request,
                    f"{process.title} is deployed. Only you can see and run it until you "
                    "submit it for review and an administrator publishes it.",
                )
                return redirect("developer:application", process.identifier)
            if forms.source == UPLOAD:
                forms.keep_upload_as_text(body)
    return render(request, "processes/developer/application_deploy.html", forms.context(problems))


@developer_required
@require_POST
def application_deploy_preview(request: HttpRequest) -> JsonResponse:
    """The package the guided form describes so far, and what would stop it deploying."""
    guided = GuidedPackage(request.POST)
    if not guided.is_valid():
        return JsonResponse({"package": None, "problems": guided.problems()})
    document = guided.document()
    try:
        package_read(document)
    except PackageError as error:
        return JsonResponse({"package": document, "problems": error.problems})
    return JsonResponse({"package": document, "problems": []})


def _replaced_message(process: Process, revision: ProcessRevision) -> str:
    if revision.state == RevisionState.DRAFT:
        return (
            f"Revision {revision.number} is saved as a draft. Users keep running the published "
            "version until you submit this revision and an administrator publishes it."
        )
    return f"{process.title} now runs revision {revision.number}."


def _latest_revision(process: Process) -> ProcessRevision | None:
    return process_pending_revision(process) or process.live_revision


@developer_required
def application_replace(request: HttpRequest, identifier: str) -> HttpResponse:
    """Replace an application's package with a new one, uploaded or pasted."""
    user = authenticated_user(request)
    process = _application_or_404(user, identifier)
    forms = PackageForms.from_request(request, sources=(PASTE, UPLOAD))
    problems: list[str] = []
    if forms.is_posted:
        body, problems = forms.posted_body()
        if body is not None:
            revision, problems = _package_replaced(user, process, body)
            if revision is not None:
                messages.success(request, _replaced_message(process, revision))
                return redirect("developer:application", process.identifier)
            if forms.source == UPLOAD:
                forms.keep_upload_as_text(body)
    else:
        latest = _latest_revision(process)
        if latest is not None:
            initial = {"package": pretty_json(revision_document(latest))}
            forms.text_form = PackageTextForm(initial=initial)
    context = {**forms.context(problems), "process": process}
    return render(request, "processes/developer/application_replace.html", context)


# --- The developer's applications ------------------------------------------------------


def _may_submit(process: Process, pending: ProcessRevision | None) -> bool:
    """What `process_submit` accepts, so that a page offers only actions that can succeed."""
    if process.state == ProcessState.PUBLISHED:
        return pending is not None and pending.state != RevisionState.SUBMITTED
    return process.state in (ProcessState.PRIVATE, ProcessState.REJECTED)


def _may_withdraw(process: Process, pending: ProcessRevision | None) -> bool:
    if process.state == ProcessState.SUBMITTED:
        return True
    return pending is not None and pending.state == RevisionState.SUBMITTED


@dataclass(frozen=True)
class ApplicationRow:
    """One application as its developer follows it: where it stands and what they may do."""

    process: Process
    pending: ProcessRevision | None
    revision_count: int
    last_change: datetime
    may_submit: bool
    may_withdraw: bool


def _application_row(process: Process) -> ApplicationRow:
    revisions = list(process.revisions.all())
    pending = process_pending_revision(process)
    return ApplicationRow(
        process=process,
        pending=pending,
        revision_count=len(revisions),
        last_change=max([process.updated_at, *(revision.created_at for revision in revisions)]),
        may_submit=_may_submit(process, pending),
        may_withdraw=_may_withdraw(process, pending),
    )


@developer_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = processes_of_developer(authenticated_user(request))
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": [_application_row(process) for process in page]}
    return render(request, "processes/developer/application_list.html", context)


@developer_required
def application_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    process = _application_or_404(authenticated_user(request), identifier)
    row = _application_row(process)
    revisions = process.revisions.select_related("created_by", "reviewed_by").order_by("-number")
    context = {
        "process": process,
        "row": row,
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


# --- Statistics ------------------------------------------------------------------------


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


@dataclass(frozen=True)
class StatisticsSummary:
    """An application's statistics as its pages show them; `weeks` carry a bar height."""

    runs: int
    users: int
    successful: int
    failed: int
    success_rate: str
    mean_duration: str
    p95_duration: str
    weeks: list[dict[str, Any]]


def statistics_summary(statistics: ProcessStatistics) -> StatisticsSummary:
    busiest = max((week["runs"] for week in statistics.weeks), default=0)
    weeks = [
        {
            "week": week["week"],
            "runs": week["runs"],
            "users": week["users"],
            "success_rate": _percent(week["successRate"]),
            "mean_duration": _duration(week["meanSeconds"]),
            "p95_duration": _duration(week["p95Seconds"]),
            "bar_percent": round(100 * week["runs"] / busiest) if busiest else 0,
        }
        for week in statistics.weeks
    ]
    return StatisticsSummary(
        runs=statistics.runs,
        users=statistics.users,
        successful=statistics.successful,
        failed=statistics.failed,
        success_rate=_percent(statistics.success_rate),
        mean_duration=_duration(statistics.mean_seconds),
        p95_duration=_duration(statistics.p95_seconds),
        weeks=weeks,
    )


@developer_required
def application_statistics(request: HttpRequest) -> HttpResponse:
    """How each of the developer's applications is used, one row per application."""
    applications = processes_of_developer(authenticated_user(request))
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(process, statistics_summary(process_statistics(process))) for process in page]
    return render(
        request, "processes/developer/application_statistics.html", {"page": page, "rows": rows}
    )
