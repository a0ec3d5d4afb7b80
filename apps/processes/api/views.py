"""OGC API - Processes: the process list and process descriptions."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.access import access_resource_filter, identity_from_request
from apps.accounts.models import User
from apps.ogc.errors import NotFoundError
from apps.ogc.links import self_links
from apps.ogc.paging import paginate
from apps.ogc.responses import negotiated_format, ogc_response
from apps.processes.api.ogc import process_description, process_summary
from apps.processes.models import Process
from apps.processes.selectors import process_get_visible_to, process_list_visible_to
from apps.processes.staging import holdings_files, workspace_files

NO_SUCH_PROCESS = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process"


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
