"""Unhandled errors on API paths become problem documents, in DEBUG as in production."""

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from apps.ogc.exceptions import API_PATH_PREFIXES, handler403, handler404, handler500
from apps.ogc.negotiation import wants_html

logger = logging.getLogger(__name__)


class ProblemDetailsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PATH_PREFIXES) or wants_html(request):
            return None
        if isinstance(exception, Http404):
            return handler404(request, exception)
        if isinstance(exception, PermissionDenied):
            return handler403(request, exception)
        logger.error("Unhandled error on %s", request.path, exc_info=exception)
        return handler500(request)
