"""Choosing JSON or HTML for a GET: `f=json|html` first, then the Accept header."""

from collections.abc import Iterable

from django.http import HttpRequest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

JSON_FORMATS = {"json", "application/json", "geojson", "application/geo+json"}
HTML_FORMATS = {"html", "text/html"}


class UnsupportedFormatError(ValueError):
    pass


def requested_format(request: HttpRequest, *, default: str = "json") -> str:
    """Return "json" or "html". Browsers (Accept: text/html first) get HTML by default."""
    explicit = request.GET.get("f")
    if explicit:
        if explicit.lower() in JSON_FORMATS:
            return "json"
        if explicit.lower() in HTML_FORMATS:
            return "html"
        raise UnsupportedFormatError(explicit)
    accept = request.headers.get("Accept", "")
    for part in accept.split(","):
        media_type = part.split(";")[0].strip().lower()
        if media_type in HTML_FORMATS or media_type == "application/xhtml+xml":
            return "html"
        if media_type in JSON_FORMATS or media_type.endswith("+json"):
            return "json"
    return default


def wants_html(request: HttpRequest) -> bool:
    try:
        return requested_format(request) == "html"
    except UnsupportedFormatError:
        return False


class LenientContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that it never answers 406 before the view runs.

    Our views pick JSON or HTML themselves (see `requested_format`); a client asking for
    a type no renderer offers gets the view's first renderer instead of an early error.
    """

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            renderer = next(iter(renderers))
            return renderer, renderer.media_type
