"""OGC API - Features items of a features service: bbox, limit/offset paging, one feature."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.ogc.errors import ApplicationError, NotFoundError
from apps.ogc.paging import paginate
from apps.ogc.responses import negotiated_format, ogc_response
from apps.webservices import selectors
from apps.webservices.api import ogc
from apps.webservices.api.common import (
    INVALID_PARAMETER,
    NOT_FOUND,
    TAGS,
    cache_headers,
    kind_or_404,
    service_or_404,
)
from apps.webservices.models import ServiceKind


def _bbox_parameter(request: Request) -> tuple[float, float, float, float] | None:
    raw = request.GET.get("bbox")
    if raw is None or raw == "":
        return None
    problem = ApplicationError(
        f"bbox must be 4 (or 6) numbers west,south,east,north in WGS 84, not {raw[:100]!r}.",
        type=INVALID_PARAMETER,
    )
    try:
        numbers = [float(part) for part in raw.split(",")]
    except ValueError as error:
        raise problem from error
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(abs(value) != float("inf") for value in numbers):
        raise problem
    west, south, east, north = numbers
    if south > north or not (-90 <= south <= 90 and -90 <= north <= 90):
        raise problem
    if request.GET.get("bbox-crs") not in (None, "", ogc.CRS84):
        raise ApplicationError("Only bbox-crs CRS84 is supported.", type=INVALID_PARAMETER)
    return (west, south, east, north)


class ItemsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_items_get",
        parameters=[
            OpenApiParameter("bbox", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: OpenApiResponse(description="Features (GeoJSON)")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str, service_id: str) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        kind_or_404(service, ServiceKind.FEATURES)
        current = negotiated_format(request)
        features = selectors.service_features(service, bbox=_bbox_parameter(request))
        page = paginate(request, features, media_type=ogc.GEOJSON)
        document = ogc.features_document(request, service, page, current=current)
        context = {"service": service, "map_settings": {"bbox": service.bbox}}
        return ogc_response(
            request,
            document,
            template="webservices/items.html",
            context=context,
            content_type=ogc.GEOJSON,
            headers=cache_headers(service, "items", request.GET.urlencode()),
        )


class ItemApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_item_get",
        responses={200: OpenApiResponse(description="A feature")},
        tags=TAGS,
    )
    def get(
        self, request: Request, username: str, service_id: str, feature_id: str
    ) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        kind_or_404(service, ServiceKind.FEATURES)
        feature = selectors.service_feature(service, feature_id)
        if feature is None:
            raise NotFoundError(f"There is no feature {feature_id!r}.", type=NOT_FOUND)
        document = ogc.feature_document(request, service, feature)
        return ogc_response(
            request,
            document,
            template="webservices/feature.html",
            context={"service": service},
            content_type=ogc.GEOJSON,
            headers=cache_headers(service, "item", feature_id, negotiated_format(request)),
        )
