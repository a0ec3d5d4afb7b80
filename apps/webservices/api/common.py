"""What every web-service view shares: finding the service the caller may use, caching."""

import hashlib
from typing import Any

from django.http import HttpResponse
from django.utils.http import quote_etag
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.permissions import IsApprovedUser
from apps.ogc.errors import NotFoundError
from apps.processes.api.views import caller
from apps.webservices import selectors
from apps.webservices.api import ogc
from apps.webservices.models import Service

NOT_FOUND = "http://www.opengis.net/def/exceptions/ogcapi-features-1/1.0/not-found"
INVALID_PARAMETER = (
    "http://www.opengis.net/def/exceptions/ogcapi-features-1/1.0/invalid-parameter-value"
)
TAGS = ["web services"]


class ReadOpenWriteApproved(BasePermission):
    """Anybody may read (visibility decides what); approved users may write."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return IsApprovedUser().has_permission(request, view)


def owner_or_404(username: str) -> User:
    owner = User.objects.filter(username=username, is_active=True).first()
    if owner is None:
        raise NotFoundError(f"There is no user {username!r}.", type=NOT_FOUND)
    return owner


def service_or_404(request: Request, username: str, service_id: str) -> Service:
    """The service, if the caller may use it; the same 404 whether it is missing or hidden."""
    service = selectors.service_get_visible_to(
        username=username, identifier=service_id, user=caller(request)
    )
    if service is None:
        raise NotFoundError(f"There is no web service {username}/{service_id}.", type=NOT_FOUND)
    return service


def kind_or_404(service: Service, kind: str) -> None:
    if service.kind != kind:
        raise NotFoundError(f"{service.title} is not a {kind} service.", type=NOT_FOUND)


def cache_headers(service: Service, *parts: Any) -> dict[str, str]:
    """ETag from the service's last change; private services are revalidated every time."""
    digest = hashlib.sha256(
        "|".join(str(part) for part in (service.pk, service.updated.isoformat(), *parts)).encode()
    ).hexdigest()[:32]
    return {
        "ETag": quote_etag(digest),
        "Cache-Control": "public, max-age=300" if service.is_public else "private, no-cache",
        "Vary": "Cookie, Authorization",
    }


def not_modified(request: Request, headers: dict[str, str]) -> HttpResponse | None:
    wanted = request.headers.get("If-None-Match", "")
    if headers["ETag"] in [tag.strip() for tag in wanted.split(",")]:
        return HttpResponse(status=304, headers=headers)
    return None


def png_response(request: Request, render: Any, headers: dict[str, str]) -> HttpResponse:
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    return HttpResponse(render(), content_type=ogc.PNG, headers=headers)
