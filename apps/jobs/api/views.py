"""OGC API - Processes: execution, the job list, job status, dismissal, results and run logs."""

import json
import time
from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_require, identity_from_request
from apps.accounts.permissions import authenticated_user
from apps.jobs import notify, selectors, services
from apps.jobs.api.ogc import EXCEPTION_TYPE, results_document, status_info
from apps.jobs.models import Job, JobStatus
from apps.ogc.errors import ApplicationError, NotFoundError
from apps.ogc.exceptions import PROBLEM_JSON
from apps.ogc.links import absolute_url, self_links
from apps.ogc.responses import negotiated_format, ogc_response
from apps.processes.api.views import caller, process_or_404
from apps.processes.footprint import footprint_of_inputs
from apps.processes.nesting import nested_request_check
from apps.processes.staging import references_check
from apps.processes.validation import execute_request_check
from apps.workspaces.api.downloads import file_response
from apps.workspaces.selectors import item_of
from apps.workspaces.storage import platform_storage

MAX_JOB_LIST_LIMIT = 1000


def job_or_404(request: Request, job_id: str) -> Job:
    job = selectors.job_get_visible_to(job_id=job_id, user=caller(request))
    if job is None:
        raise NotFoundError(
            f"There is no job {job_id!r}.", type=EXCEPTION_TYPE + "no-such-job", title="No such job"
        )
    return job


def _wants_async(request: Request, body: dict[str, Any]) -> bool:
    prefer = request.headers.get("Prefer", "")
    return "respond-async" in prefer.replace(" ", "").split(",") or body.get("mode") == "async"


def _wait_until_finished(job: Job) -> Job:
    deadline = time.monotonic() + settings.SYNC_EXECUTE_WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.02)
    return job


def _client_address(request: Request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _created_response(request: Request, job: Job, *, preference_applied: bool) -> Response:
    headers = {"Location": absolute_url(request, f"/ogcapi/jobs/{job.pk}")}
    if preference_applied:
        headers["Preference-Applied"] = "respond-async"
    return Response(status_info(request, job), status=201, headers=headers)


def _raw_output_response(request: Request, job: Job) -> HttpResponseBase:
    outputs = list(job.outputs.all())
    requested = job.execute_request.get("outputs") or {}
    chosen = [output for output in outputs if not requested or output.output_id in requested]
    if len(chosen) != 1:
        return Response(results_document(request, job, outputs, requested))
    return output_content(request, chosen[0])


def output_content(request: Request, output: Any) -> HttpResponseBase:
    """The bytes of one output with its media type; a file is streamed (HTTP Range too)."""
    if output.storage_path:
        entry = platform_storage().stat(output.storage_path)
        if entry is None or entry.is_folder:
            raise NotFoundError(f"The file of output {output.output_id!r} is no longer there.")
        response = file_response(request, item_of(entry, output.output_id))
        if output.media_type:
            response["Content-Type"] = output.media_type
        return response
    if isinstance(output.value, str) and not output.media_type.endswith("json"):
        return HttpResponse(output.value, content_type=output.media_type)
    return HttpResponse(json.dumps(output.value), content_type="application/json")


def _finished_response(request: Request, job: Job) -> HttpResponseBase:
    if job.status == JobStatus.FAILED:
        return JsonResponse(job.exception or {}, status=500, content_type=PROBLEM_JSON)
    if job.status == JobStatus.DISMISSED:
        return Response(status_info(request, job))
    if job.response == "raw":
        return _raw_output_response(request, job)
    requested = job.execute_request.get("outputs") or {}
    return Response(results_document(request, job, list(job.outputs.all()), requested))


class ProcessExecuteApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="execute",
        request={"application/json": {"type": "object"}},
        parameters=[
            OpenApiParameter(
                "Prefer", str, OpenApiParameter.HEADER, description="respond-async for a job."
            ),
            OpenApiParameter(
                "responseHandler",
                str,
                many=True,
                description="mailto:, sms: or http(s) URIs to notify when the job ends.",
            ),
        ],
        responses={
            200: OpenApiResponse(description="Results of a synchronous execution."),
            201: OpenApiResponse(description="Job created (statusInfo, Location header)."),
            400: OpenApiResponse(description="The request does not fit the process."),
            404: OpenApiResponse(description="No such process."),
        },
        tags=["processes"],
    )
    def post(self, request: Request, process_id: str) -> HttpResponseBase:
        process = process_or_404(request, process_id)
        body = request.data
        checked = execute_request_check(process.description, body)
        nested_request_check(
            description=process.description,
            inputs=checked.inputs,
            identity=identity_from_request(request),
        )
        footprint = footprint_of_inputs(checked.inputs)
        references_check(checked.inputs, caller(request))
        response_handlers = notify.response_handlers_parse(
            request.query_params.getlist("responseHandler")
        )
        notify.subscriber_check(checked.subscriber)
        access_require(
            identity=identity_from_request(request),
            operation="execute",
            resource_type="process",
            resource_id=process.identifier,
            footprint=footprint,
        )
        options = process.job_control_options
        wants_async = _wants_async(request, body) or bool(response_handlers)
        run_async = (wants_async and "async-execute" in options) or "sync-execute" not in options
        job = services.job_submit(
            submission=services.Submission(
                user=authenticated_user(request),
                process=process,
                request=checked,
                body=body,
                client_address=_client_address(request),
                response_handlers=response_handlers,
                footprint=footprint,
            )
        )
        if run_async:
            return _created_response(request, job, preference_applied=wants_async)
        if not job.is_finished:
            job = _wait_until_finished(job)
        if not job.is_finished:
            return _created_response(request, job, preference_applied=False)
        return _finished_response(request, job)


def _list_parameter(request: Request, name: str) -> list[str]:
    values = []
    for raw in request.query_params.getlist(name):
        values += [value.strip() for value in raw.split(",") if value.strip()]
    return values


def _number_parameter(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError as error:
        raise ApplicationError(f"Parameter {name!r} must be a number of seconds.") from error


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError as error:
        raise ApplicationError(f"Parameter 'limit' must be an integer, not {raw!r}.") from error
    if limit < 1:
        raise ApplicationError("Parameter 'limit' must be at least 1.")
    return min(limit, MAX_JOB_LIST_LIMIT)


def _filters(request: Request) -> selectors.JobFilters:
    created_from, created_to = (None, None)
    if request.query_params.get("datetime"):
        created_from, created_to = selectors.datetime_range(request.query_params["datetime"])
    return selectors.JobFilters(
        process_ids=_list_parameter(request, "processID"),
        statuses=_list_parameter(request, "status"),
        types=_list_parameter(request, "type"),
        created_from=created_from,
        created_to=created_to,
        min_duration=_number_parameter(request, "minDuration"),
        max_duration=_number_parameter(request, "maxDuration"),
    )


def _page_link(request: Request, rel: str, cursor_name: str, cursor: str) -> dict[str, str]:
    query = {
        key: request.query_params.getlist(key)
        for key in request.query_params
        if key not in ("after", "before", "f")
    }
    query[cursor_name] = [cursor]
    return {
        "href": absolute_url(request, request.path, query),
        "rel": rel,
        "type": "application/json",
        "title": "next page" if rel == "next" else "previous page",
    }


class JobListApi(APIView):
    """Anonymous callers see no jobs (an empty list, 404 for any id)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="getJobs",
        parameters=[
            OpenApiParameter("type", str, many=True),
            OpenApiParameter("processID", str, many=True),
            OpenApiParameter("status", str, many=True),
            OpenApiParameter("datetime", str),
            OpenApiParameter("minDuration", float),
            OpenApiParameter("maxDuration", float),
            OpenApiParameter("limit", int),
            OpenApiParameter("after", str, description="Cursor: the page after this one."),
            OpenApiParameter("before", str, description="Cursor: the page before this one."),
        ],
        responses={200: OpenApiResponse(description="The caller's jobs (jobList).")},
        tags=["jobs"],
    )
    def get(self, request: Request) -> HttpResponseBase:
        jobs = selectors.job_list_filtered(
            selectors.job_list_visible_to(caller(request)), _filters(request)
        )
        page = selectors.job_page(
            jobs,
            limit=_limit(request),
            after=request.query_params.get("after"),
            before=request.query_params.get("before"),
        )
        links = self_links(request, request.path, title="Jobs", current=negotiated_format(request))
        if page.next_cursor:
            links.append(_page_link(request, "next", "after", page.next_cursor))
        if page.previous_cursor:
            links.append(_page_link(request, "prev", "before", page.previous_cursor))
        document = {"jobs": [status_info(request, job) for job in page.jobs], "links": links}
        return ogc_response(request, document, template="jobs/job_list.html")


class JobStatusApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="getStatus",
        responses={200: OpenApiResponse(description="statusInfo"), 404: None},
        tags=["jobs"],
    )
    def get(self, request: Request, job_id: str) -> HttpResponseBase:
        job = job_or_404(request, job_id)
        return ogc_response(
            request,
            status_info(request, job),
            template="jobs/job_detail.html",
            context={"job": job},
        )

    @extend_schema(
        operation_id="dismiss",
        responses={200: OpenApiResponse(description="statusInfo of the dismissed job")},
        tags=["jobs"],
    )
    def delete(self, request: Request, job_id: str) -> HttpResponseBase:
        job = job_or_404(request, job_id)
        document = status_info(request, job)
        dismissed = services.job_dismiss(job=job)
        if dismissed is not None:
            document = status_info(request, dismissed)
        else:
            document["status"] = JobStatus.DISMISSED
            document["message"] = "Removed with its results."
            document["links"] = []
        return Response(document)


def _require_results(job: Job) -> None:
    if job.status != JobStatus.SUCCESSFUL:
        raise NotFoundError(
            f"The job is {job.status}; it has no results.",
            type=EXCEPTION_TYPE + "result-not-ready",
            title="Result not ready",
        )


class JobResultsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="getResult",
        responses={200: OpenApiResponse(description="results"), 404: None},
        tags=["jobs"],
    )
    def get(self, request: Request, job_id: str) -> HttpResponseBase:
        job = job_or_404(request, job_id)
        if job.status == JobStatus.FAILED:
            return JsonResponse(job.exception or {}, status=500, content_type=PROBLEM_JSON)
        _require_results(job)
        requested = job.execute_request.get("outputs") or {}
        return Response(results_document(request, job, list(job.outputs.all()), requested))


class JobResultApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="getResultOutput",
        responses={200: OpenApiResponse(description="The output, with its media type.")},
        tags=["jobs"],
    )
    def get(self, request: Request, job_id: str, output_id: str) -> HttpResponseBase:
        job = job_or_404(request, job_id)
        _require_results(job)
        output = job.outputs.filter(output_id=output_id).first()
        if output is None:
            raise NotFoundError(
                f"The job has no output {output_id!r}.",
                type=EXCEPTION_TYPE + "no-such-output",
                title="No such output",
            )
        return output_content(request, output)


class JobRunlogApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="getRunlog",
        responses={(200, "text/plain"): OpenApiResponse(description="The run log.")},
        tags=["jobs"],
    )
    def get(self, request: Request, job_id: str) -> HttpResponseBase:
        job = job_or_404(request, job_id)
        lines = job.log_lines.values_list("created", "line")
        text = "".join(
            f"{created.isoformat(timespec='seconds')} {line}\n" for created, line in lines
        )
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
