"""One shape for every error on the API routes: RFC 7807 problem details (OGC exceptions).

DRF views go through `ogc_exception_handler`; Django's own 404/500 go through
`handler404`/`handler500`, which answer a problem document on API paths and a page
elsewhere (or when the client asked for HTML).
"""

import sys
import traceback
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.ogc.errors import ApplicationError
from apps.ogc.negotiation import wants_html

PROBLEM_JSON = "application/problem+json"
API_PATH_PREFIXES = ("/ogcapi/", "/catalogue/", "/services/", "/api/")


def problem(
    status: int, detail: str, *, type: str = "about:blank", title: str | None = None, **extra: Any
) -> dict[str, Any]:
    document = {
        "type": type,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    document.update(extra)
    return document


def _drf_detail(detail: Any) -> tuple[str, dict[str, Any]]:
    """A one-line summary of DRF's error detail, plus the full detail when it is structured."""
    if isinstance(detail, dict):
        parts = []
        for field, messages in detail.items():
            text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else messages
            parts.append(f"{field}: {text}")
        return " ".join(parts), {"errors": detail}
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail), {}
    return str(detail), {}


def ogc_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        document = problem(exc.status, exc.detail, type=exc.type, title=exc.title, **exc.extra)
        return Response(document, status=exc.status, content_type=PROBLEM_JSON)
    if isinstance(exc, RequestDataTooBig):
        document = problem(413, "The request body is larger than this server accepts.")
        return Response(document, status=413, content_type=PROBLEM_JSON)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail, extra = _drf_detail(
        response.data.get("detail", response.data)
        if isinstance(response.data, dict) and "detail" in response.data
        else response.data
    )
    response.data = problem(response.status_code, detail, **extra)
    response.content_type = PROBLEM_JSON
    return response


def _is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIXES) and not wants_html(request)


def problem_response(request: HttpRequest, document: dict[str, Any]) -> HttpResponse:
    status = document["status"]
    if _is_api_request(request):
        return JsonResponse(document, status=status, content_type=PROBLEM_JSON)
    return render(request, "error.html", {"problem": document}, status=status)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = "The requested resource does not exist."
    if isinstance(exception, Http404) and exception.args and isinstance(exception.args[0], str):
        detail = exception.args[0]
    return problem_response(request, problem(404, detail))


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = str(exception) if exception and str(exception) else "You may not do this."
    return problem_response(request, problem(403, detail))


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(request, problem(400, "The request could not be understood."))


def handler500(request: HttpRequest) -> HttpResponse:
    extra: dict[str, Any] = {}
    if settings.DEBUG:
        extra["traceback"] = traceback.format_exception(*sys.exc_info())
    document = problem(500, "The server failed to answer this request.", **extra)
    return problem_response(request, document)
