"""A coverage service's data and pictures: the GeoTIFF download, map images and XYZ tiles."""

from contextlib import ExitStack

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ogc.errors import ApplicationError, NotFoundError
from apps.webservices import files, rendering, selectors
from apps.webservices.api import ogc
from apps.webservices.api.common import (
    INVALID_PARAMETER,
    NOT_FOUND,
    TAGS,
    cache_headers,
    kind_or_404,
    not_modified,
    png_response,
    service_or_404,
)
from apps.webservices.models import ServiceKind

MAX_IMAGE_SIDE = 2048
DEFAULT_IMAGE_SIDE = 512


class CoverageApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_coverage_get",
        parameters=[OpenApiParameter("f", str, enum=["json"])],
        responses={200: OpenApiResponse(description="The GeoTIFF, or its domain as JSON")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str, service_id: str) -> HttpResponseBase:
        service = service_or_404(request, username, service_id)
        kind_or_404(service, ServiceKind.COVERAGE)
        sources = selectors.service_raster_sources(service)
        if request.GET.get("f") in ("json", "application/json"):
            return Response(ogc.coverage_domain(request, service, sources))
        index = _part_parameter(request, len(sources))
        source = sources[index]
        headers = cache_headers(service, "coverage", source.key)
        cached = not_modified(request, headers)
        if cached is not None:
            return cached
        name = source.key.rsplit("/", 1)[-1]
        response = StreamingHttpResponse(
            files.read(source.key), content_type=ogc.GEOTIFF, headers=headers
        )
        response["Content-Length"] = str(files.size(source.key))
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _part_parameter(request: Request, count: int) -> int:
    """Which raster of a coverage of several: `part` counts from 1 (default: the first)."""
    raw = request.GET.get("part") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= count:
        raise ApplicationError(f"part must be a number from 1 to {count}.", type=INVALID_PARAMETER)
    return int(raw) - 1


def _side(request: Request, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_IMAGE_SIDE:
        raise ApplicationError(
            f"{name} must be a number of pixels from 1 to {MAX_IMAGE_SIDE}.",
            type=INVALID_PARAMETER,
        )
    return int(raw)


def _image_size(request: Request, bbox: tuple[float, float, float, float]) -> tuple[int, int]:
    """width x height, the missing one following the extent's aspect ratio."""
    width, height = _side(request, "width"), _side(request, "height")
    west, south, east, north = bbox
    aspect = (east - west) / (north - south) if north > south else 1.0
    if width is None and height is None:
        width = DEFAULT_IMAGE_SIDE
    if width is None:
        width = max(1, min(MAX_IMAGE_SIDE, round(height * aspect)))  # type: ignore[operator]
    if height is None:
        height = max(1, min(MAX_IMAGE_SIDE, round(width / aspect)))
    return width, height


class MapApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_map_get",
        parameters=[OpenApiParameter("width", int), OpenApiParameter("height", int)],
        responses={200: OpenApiResponse(description="The map as PNG")},
        tags=TAGS,
    )
    def get(self, request: Request, username: str, service_id: str) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        kind_or_404(service, ServiceKind.COVERAGE)
        bbox = service.bbox or (-180.0, -90.0, 180.0, 90.0)
        width, height = _image_size(request, bbox)
        keys = [source.key for source in selectors.service_raster_sources(service)]

        def render() -> bytes:
            with ExitStack() as stack:
                paths = [stack.enter_context(files.local_file(key)) for key in keys]
                return rendering.preview_png(
                    paths, service.style, bbox=bbox, width=width, height=height
                )

        headers = cache_headers(service, "map", width, height)
        return png_response(request, render, headers)


class TileApi(APIView):
    """XYZ tiles. A tile of the matrix that holds no data of the service answers 404."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_tile_get",
        responses={200: OpenApiResponse(description="A PNG tile")},
        tags=TAGS,
    )
    def get(
        self, request: Request, username: str, service_id: str, z: int, y: int, x: int
    ) -> HttpResponse:
        service = service_or_404(request, username, service_id)
        kind_or_404(service, ServiceKind.COVERAGE)
        if not rendering.tile_exists(z, x, y):
            raise NotFoundError(f"WebMercatorQuad has no tile {z}/{y}/{x}.", type=NOT_FOUND)
        sources = selectors.service_raster_sources(service, bbox=rendering.tile_bounds(z, x, y))
        if not sources:
            raise NotFoundError(f"The tile {z}/{y}/{x} holds no data.", type=NOT_FOUND)
        keys = [source.key for source in sources]

        def render() -> bytes:
            with ExitStack() as stack:
                paths = [stack.enter_context(files.local_file(key)) for key in keys]
                try:
                    return rendering.tile_png(paths, service.style, z=z, x=x, y=y)
                except rendering.NoDataError as error:
                    raise NotFoundError(
                        f"The tile {z}/{y}/{x} holds no data.", type=NOT_FOUND
                    ) from error

        return png_response(request, render, cache_headers(service, "tile", z, y, x))
