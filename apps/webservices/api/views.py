"""The web services API under /services/{username}/ (see the app's docstring for the layout).

Landing page, conformance and collections, and the owner's writes: publish, add files,
retitle, open or close, share, remove. Reads answer anybody who may use the service
(selectors.services_visible_to) and 404 otherwise; writes are the owner's.
"""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.permissions import authenticated_user
from apps.jobs.models import Job
from apps.jobs.selectors import job_get_visible_to
from apps.ogc.conformance import conformance_classes
from apps.ogc.errors import ApplicationError, NotFoundError, PermissionDeniedError
from apps.ogc.responses import negotiated_format, ogc_response
from apps.processes.api.views import caller
from apps.webservices import files, selectors, services
from apps.webservices.api import ogc
from apps.webservices.api.common import (
    TAGS,
    ReadOpenWriteApproved,
    cache_headers,
    owner_or_404,
    service_or_404,
)
from apps.webservices.models import Service, ServiceKind


def _job_of(request: Request, job_id: Any) -> Job | None:
    if not job_id:
        return None
    job = job_get_visible_to(job_id=str(job_id), user=caller(request))
    if job is None:
        raise NotFoundError(f"There is no job {job_id}.")
    return job


# --- landing page, conformance, collections ------------------------------------------------


class LandingApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_landing_get",
        responses={200: OpenApiResponse(description="Landing page")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str) -> HttpResponse:
        owner = owner_or_404(username)
        current = negotiated_format(request)
        document = ogc.landing_document(request, username, current=current)
        context = {}
        if current == "html":
            context = _listing_context(request, owner)
        return ogc_response(request, document, template="webservices/landing.html", context=context)


def _listing_context(request: Request, owner: User) -> dict[str, Any]:
    user = caller(request)
    return {
        "owner": owner,
        "services": list(selectors.service_list_of_owner(username=owner.username, user=user)),
        "is_owner": user is not None and user.pk == owner.pk,
    }


class ConformanceApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_conformance_get",
        responses={200: OpenApiResponse(description="Conformance")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str) -> HttpResponse:
        owner_or_404(username)
        document = {"conformsTo": conformance_classes("services")}
        return ogc_response(request, document, template="ogc/conformance.html")


class CreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    identifier = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.CharField(max_length=files.MAX_KEY_LENGTH), required=False, default=list
    )
    job = serializers.UUIDField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(ServiceKind.values, required=False, allow_null=True)
    public = serializers.BooleanField(required=False, default=False)
    holdings = serializers.BooleanField(required=False, default=False)


class CollectionsApi(APIView):
    permission_classes = [ReadOpenWriteApproved]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="services_collections_get",
        responses={200: OpenApiResponse(description="The collections")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str) -> HttpResponse:
        owner = owner_or_404(username)
        current = negotiated_format(request)
        listed = list(selectors.service_list_of_owner(username=username, user=caller(request)))
        document = ogc.collections_document(request, username, listed, current=current)
        context = _listing_context(request, owner) if current == "html" else {}
        return ogc_response(request, document, template="webservices/landing.html", context=context)

    @extend_schema(
        operation_id="services_collections_post",
        request=CreateInputSerializer,
        responses={201: OpenApiResponse(description="The new collection")},
        tags=TAGS,
    )
    def post(self, request: Request, username: str) -> HttpResponse:
        user = authenticated_user(request)
        if user.username != username:
            raise PermissionDeniedError("You publish web services under your own name only.")
        data = CreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        service = services.service_create(
            owner=user,
            title=values["title"],
            description=values["description"],
            identifier=values["identifier"],
            files=values["files"],
            job=_job_of(request, values["job"]),
            kind=values.get("kind"),
            public=values["public"],
            holdings=values["holdings"],
        )
        body = ogc.collection_document(request, service)
        location = request.build_absolute_uri(service.path)
        return Response(body, status=201, headers={"Location": location})


class UpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    public = serializers.BooleanField(required=False)


class CollectionApi(APIView):
    permission_classes = [ReadOpenWriteApproved]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="services_collection_get",
        responses={200: OpenApiResponse(description="The collection")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str, service_id: str) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        current = negotiated_format(request)
        document = ogc.collection_document(request, service, current=current)
        context = _service_context(request, service) if current == "html" else {}
        return ogc_response(
            request,
            document,
            template="webservices/service.html",
            context=context,
            headers=cache_headers(service, "collection", current),
        )

    @extend_schema(
        operation_id="services_collection_patch",
        request=UpdateInputSerializer,
        responses={200: OpenApiResponse(description="The changed collection")},
        tags=TAGS,
    )
    def patch(self, request: Request, username: str, service_id: str) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        user = authenticated_user(request)
        data = UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "title" in values or "description" in values:
            service = services.service_retitle(
                service=service,
                user=user,
                title=values.get("title", service.title),
                description=values.get("description"),
            )
        if "public" in values:
            service = services.service_set_public(
                service=service, user=user, public=values["public"]
            )
        return Response(ogc.collection_document(request, service))

    @extend_schema(
        operation_id="services_collection_delete",
        responses={204: OpenApiResponse(description="Removed")},
        tags=TAGS,
    )
    def delete(self, request: Request, username: str, service_id: str) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        services.service_remove(service=service, user=authenticated_user(request))
        return Response(status=204)


def _service_context(request: Request, service: Service) -> dict[str, Any]:
    user = caller(request)
    can_manage = selectors.service_can_manage(service, user)
    return {
        "service": service,
        "can_manage": can_manage,
        "sources": list(service.sources.all()) if can_manage else [],
        "readers": list(service.readers.order_by("username")) if can_manage else [],
        "tile_template": request.build_absolute_uri(service.path) + ogc.TILE_TEMPLATE,
        "map_settings": {
            "kind": service.kind,
            "bbox": service.bbox,
            "tiles": service.path
            + ogc.TILE_TEMPLATE.replace("{tileMatrix}", "{z}")
            .replace("{tileRow}", "{y}")
            .replace("{tileCol}", "{x}"),
            "items": f"{service.path}/items?f=json&limit=1000",
            "api": service.path,
            "owner": service.owner.username,
        },
    }


class FilesInputSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.CharField(max_length=files.MAX_KEY_LENGTH), required=False, default=list
    )
    job = serializers.UUIDField(required=False, allow_null=True, default=None)


class FilesApi(APIView):
    """Add files, or a job's outputs, to the service."""

    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="services_files_post",
        request=FilesInputSerializer,
        responses={200: OpenApiResponse(description="The changed collection")},
        tags=TAGS,
    )
    def post(self, request: Request, username: str, service_id: str) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        data = FilesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.service_add_files(
            service=service,
            user=authenticated_user(request),
            files=data.validated_data["files"],
            job=_job_of(request, data.validated_data["job"]),
        )
        return Response(ogc.collection_document(request, service))


class ShareInputSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, max_length=150)
    everyone = serializers.BooleanField(required=False, default=False)


def _readers_document(service: Service) -> dict[str, Any]:
    return {
        "public": service.is_public,
        "readers": list(service.readers.order_by("username").values_list("username", flat=True)),
    }


def _grantee(username: str) -> User:
    grantee = User.objects.filter(username=username, is_active=True).first()
    if grantee is None:
        raise ApplicationError(f"There is no user {username!r}.")
    return grantee


class ReadersApi(APIView):
    """Who the service is shared with (the owner's view), and sharing it."""

    parser_classes = [JSONParser]

    def _managed(self, request: Request, username: str, service_id: str) -> Service:
        service = service_or_404(request, username, service_id)
        if not selectors.service_can_manage(service, caller(request)):
            raise PermissionDeniedError("Only the owner sees and changes who has access.")
        return service

    @extend_schema(
        operation_id="services_readers_get",
        responses={200: OpenApiResponse(description="Readers")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str, service_id: str) -> HttpResponse:
        return Response(_readers_document(self._managed(request, username, service_id)))

    @extend_schema(
        operation_id="services_readers_post",
        request=ShareInputSerializer,
        responses={200: OpenApiResponse(description="Readers")},
        tags=TAGS,
    )
    def post(self, request: Request, username: str, service_id: str) -> HttpResponse:
        service = self._managed(request, username, service_id)
        data = ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not values["everyone"] and not values.get("username"):
            raise ApplicationError('Share with {"username": "…"} or {"everyone": true}.')
        grantee = None if values["everyone"] else _grantee(values["username"])
        service = services.service_share(
            service=service, user=authenticated_user(request), grantee=grantee
        )
        return Response(_readers_document(service))


class ReaderApi(APIView):
    @extend_schema(
        operation_id="services_reader_delete",
        responses={200: OpenApiResponse(description="Readers")},
        tags=TAGS,
    )
    def delete(self, request: Request, username: str, service_id: str, reader: str) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        grantee = User.objects.filter(username=reader).first()
        if grantee is None:
            raise NotFoundError(f"{reader!r} has no access to this service.")
        service = services.service_unshare(
            service=service, user=authenticated_user(request), grantee=grantee
        )
        return Response(_readers_document(service))
