"""One call to answer a GET as JSON or HTML, whichever the client asked for."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from rest_framework.response import Response

from apps.ogc.errors import ApplicationError
from apps.ogc.negotiation import UnsupportedFormatError, requested_format


def negotiated_format(request: HttpRequest) -> str:
    try:
        return requested_format(request)
    except UnsupportedFormatError as error:
        raise ApplicationError(
            f"Unsupported format {error.args[0]!r}; use f=json or f=html.",
            status=400,
            type="http://www.opengis.net/def/exceptions/ogcapi-common-1/1.0/unsupported-format",
        ) from error


def ogc_response(
    request: HttpRequest,
    data: dict[str, Any],
    *,
    template: str,
    context: dict[str, Any] | None = None,
    content_type: str = "application/json",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """`data` as JSON, or `template` rendered with `data` (as `document`) and `context`."""
    if negotiated_format(request) == "html":
        page_context = {"document": data, **(context or {})}
        return TemplateResponse(request, template, page_context, status=status, headers=headers)
    return Response(data, status=status, content_type=content_type, headers=headers)
