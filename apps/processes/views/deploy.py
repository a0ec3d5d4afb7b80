"""Deploying an application, and replacing its package: uploaded, pasted or guided."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.accounts.permissions import authenticated_user
from apps.ogc.errors import ApplicationError, ConflictError
from apps.processes.diffs import pretty_json, revision_document
from apps.processes.forms import GuidedPackage, PackageBody, PackageFileForm, PackageTextForm
from apps.processes.models import Process, ProcessRevision, RevisionState
from apps.processes.packages import PackageError, package_read
from apps.processes.services import process_deploy, process_pending_revision, process_replace
from apps.processes.views.common import _application_or_404, developer_required

UPLOAD, PASTE, GUIDED = "upload", "paste", "guided"


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
