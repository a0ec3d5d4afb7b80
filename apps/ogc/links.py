"""Building OGC API links with absolute URLs."""

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest

JSON = "application/json"
HTML = "text/html"


def absolute_url(request: HttpRequest, path: str, query: dict[str, Any] | None = None) -> str:
    """The absolute URL of `path` on this server, with `query` (None values dropped)."""
    url = request.build_absolute_uri(path)
    params = {key: value for key, value in (query or {}).items() if value is not None}
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def link(
    request: HttpRequest,
    path: str,
    *,
    rel: str,
    type: str = JSON,
    title: str | None = None,
    query: dict[str, Any] | None = None,
) -> dict[str, str]:
    result = {"href": absolute_url(request, path, query), "rel": rel, "type": type}
    if title:
        result["title"] = title
    return result


def self_links(
    request: HttpRequest, path: str, *, title: str, current: str = "json"
) -> list[dict[str, str]]:
    """`self` for the representation being served plus `alternate` for the other one."""
    query = {key: request.GET.getlist(key) for key in request.GET if key != "f"}
    json_link = link(
        request,
        path,
        rel="self" if current == "json" else "alternate",
        type=JSON,
        title=f"{title} as JSON",
        query={**query, "f": "json"},
    )
    html_link = link(
        request,
        path,
        rel="self" if current == "html" else "alternate",
        type=HTML,
        title=f"{title} as HTML",
        query={**query, "f": "html"},
    )
    return [json_link, html_link] if current == "json" else [html_link, json_link]


class PublicRequest(HttpRequest):
    """A stand-in request for building links outside a request (workers, e-mails)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        parts = urlsplit(base_url)
        self._public_scheme = parts.scheme or "http"
        self._public_host = parts.netloc
        self.path = "/"

    def get_host(self) -> str:
        return self._public_host

    def _get_scheme(self) -> str:
        return self._public_scheme


def public_request() -> HttpRequest:
    return PublicRequest(settings.PUBLIC_BASE_URL)
