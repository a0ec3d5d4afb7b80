"""OGC API - Processes: the process list and process descriptions."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_resource_filter, identity_from_request
from apps.accounts.models import User
from apps.accounts.permissions import authenticated_user
from apps.ogc.errors import ApplicationError, NotFoundError
from apps.ogc.links import absolute_url, self_links
from apps.ogc.paging import paginate
from apps.ogc.responses import negotiated_format, ogc_response
from apps.processes.api.ogc import process_description, process_summary
from apps.processes.models import Process
from apps.processes.packages import Package, PackageError, package_read
from apps.processes.selectors import process_get_visible_to, process_list_visible_to
from apps.processes.services import process_deploy, process_replace, process_undeploy
from apps.processes.staging import holdings_files, workspace_files

NO_SUCH_PROCESS = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process"
INVALID_PACKAGE = "http://www.opengis.net/def/exceptions/ogcapi-processes-2/1.0/invalid-package"


class RawBodyParser(BaseParser):
    """Packages are read from the raw body: JSON, YAML or CWL, whatever the media type."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return stream.read() if stream is not None else b""


def package_from_request(request: Request) -> Package:
    """The package the request carries; 400 listing every problem when it is not valid."""
    body = request.data
    if not body:
        raise ApplicationError("Send an application package (or a CWL document) in the body.")
    try:
        return package_read(body, request.content_type or "")
    except PackageError as error:
        raise ApplicationError(
            f"The application package is not valid: {len(error.problems)} problem(s).",
            type=INVALID_PACKAGE,
            title="Invalid application package",
            extra={"problems": error.problems},
        ) from error


def caller(request: HttpRequest | Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _readable(request: HttpRequest | Request) -> Callable[[str], bool]:
    return access_resource_filter(
        identity=identity_from_request(request), operation="read", resource_type="process"
    )


def process_or_404(request: HttpRequest | Request, process_id: str) -> Process:
    """The process, if the caller may see it: its state and the access rules decide."""
    process = process_get_visible_to(identifier=process_id, user=caller(request))
    if process is None or not _readable(request)(process.identifier):
        raise NotFoundError(
            f"There is no process {process_id!r}.", type=NO_SUCH_PROCESS, title="No such process"
        )
    return process


class ProcessListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="getProcesses",
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: OpenApiResponse(description="The processes offered (processList).")},
        tags=["processes"],
    )
    def get(self, request: Request) -> HttpResponse:
        readable = _readable(request)
        processes = [
            process
            for process in process_list_visible_to(caller(request))
            if readable(process.identifier)
        ]
        page = paginate(request, processes, default_limit=100)
        document = {
            "processes": [process_summary(request, process) for process in page.items],
            "links": [
                *self_links(
                    request, request.path, title="Processes", current=negotiated_format(request)
                ),
                *page.links,
            ],
            "numberMatched": page.number_matched,
            "numberReturned": page.number_returned,
        }
        return ogc_response(request, document, template="processes/process_list.html")

    @extend_schema(
        operation_id="deploy",
        request={"application/ogcapppkg+json": dict, "application/cwl+yaml": str},
        responses={
            201: OpenApiResponse(description="Deployed: the process summary, and Location."),
            400: OpenApiResponse(description="The package is not valid: every problem listed."),
            403: OpenApiResponse(description="Only developers deploy processes."),
            409: OpenApiResponse(description="A process with this id exists already."),
        },
        tags=["processes"],
    )
    def post(self, request: Request) -> HttpResponse:
        user = authenticated_user(request)
        process = process_deploy(user=user, package=package_from_request(request))
        location = absolute_url(request, f"/ogcapi/processes/{process.identifier}")
        return Response(
            process_summary(request, process), status=201, headers={"Location": location}
        )

    def get_parsers(self) -> list[BaseParser]:
        return [RawBodyParser()]


class ProcessDescriptionApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="getProcessDescription",
        responses={
            200: OpenApiResponse(description="The process description."),
            404: OpenApiResponse(description="No such process."),
        },
        tags=["processes"],
    )
    def get(self, request: Request, process_id: str) -> HttpResponse:
        process = process_or_404(request, process_id)
        document = process_description(request, process)
        return ogc_response(
            request,
            document,
            template="processes/process_detail.html",
            context={
                "holdings": holdings_files,
                "workspace_files": lambda: workspace_files(caller(request)),
            },
        )

    @extend_schema(
        operation_id="replace",
        request={"application/ogcapppkg+json": dict, "application/cwl+yaml": str},
        responses={
            204: OpenApiResponse(description="Replaced."),
            400: OpenApiResponse(description="The package is not valid: every problem listed."),
            403: OpenApiResponse(description="Not a developer, not yours, or built in."),
            404: OpenApiResponse(description="No such process."),
        },
        tags=["processes"],
    )
    def put(self, request: Request, process_id: str) -> HttpResponse:
        user = authenticated_user(request)
        process = process_or_404(request, process_id)
        process_replace(user=user, process=process, package=package_from_request(request))
        return HttpResponse(status=204)

    @extend_schema(
        operation_id="undeploy",
        responses={
            204: OpenApiResponse(description="Undeployed."),
            403: OpenApiResponse(description="Not a developer, not yours, or built in."),
            404: OpenApiResponse(description="No such process."),
        },
        tags=["processes"],
    )
    def delete(self, request: Request, process_id: str) -> HttpResponse:
        user = authenticated_user(request)
        process_undeploy(user=user, process=process_or_404(request, process_id))
        return HttpResponse(status=204)

    def get_parsers(self) -> list[BaseParser]:
        return [RawBodyParser()]
