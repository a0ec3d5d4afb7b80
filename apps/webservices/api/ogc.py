"""OGC API JSON of web services: landing page, collections, features, coverage domain."""

import json
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from apps.ogc.links import HTML, JSON, link, self_links
from apps.ogc.paging import Page
from apps.webservices.models import Service, ServiceFeature, ServiceKind, ServiceSource
from apps.webservices.rendering import TILE_MATRIX_SET

GEOJSON = "application/geo+json"
GEOTIFF = "image/tiff; application=geotiff"
PNG = "image/png"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"
TILE_TEMPLATE = "/map/tiles/" + TILE_MATRIX_SET + "/{tileMatrix}/{tileRow}/{tileCol}.png"


def user_path(username: str) -> str:
    return f"/services/{username}/"


def _extent(service: Service) -> dict[str, Any]:
    bbox = service.bbox or (-180.0, -90.0, 180.0, 90.0)
    return {"spatial": {"bbox": [list(bbox)], "crs": CRS84}}


def landing_document(request: HttpRequest, username: str, *, current: str) -> dict[str, Any]:
    base = user_path(username)
    return {
        "title": f"Web services of {username}",
        "description": f"OGC API collections published by {username} on the TEP Marketplace.",
        "links": [
            *self_links(request, base, title="This landing page", current=current),
            link(request, "/api/schema", rel="service-desc", type=OPENAPI_JSON, title="OpenAPI"),
            link(request, "/api/docs", rel="service-doc", type=HTML, title="API documentation"),
            link(
                request,
                f"{base}conformance",
                rel="conformance",
                title="Conformance classes implemented by this server",
            ),
            link(request, f"{base}collections", rel="data", title="The collections"),
            link(request, f"{base}collections", rel=REL + "data", title="The collections"),
        ],
    }


def _kind_links(request: HttpRequest, service: Service) -> list[dict[str, Any]]:
    path = service.path
    if service.kind == ServiceKind.FEATURES:
        return [
            link(request, f"{path}/items", rel="items", type=GEOJSON, title="The features"),
            link(
                request,
                f"{path}/items",
                rel="items",
                type=HTML,
                title="The features as HTML",
                query={"f": "html"},
            ),
        ]
    tiles = {
        **link(request, path, rel="item", type=PNG, title="Map tiles (XYZ, WebMercatorQuad)"),
        "href": request.build_absolute_uri(path) + TILE_TEMPLATE,
        "templated": True,
    }
    return [
        link(request, f"{path}/coverage", rel=REL + "coverage", type=GEOTIFF, title="Coverage"),
        link(
            request,
            f"{path}/coverage",
            rel=REL + "coverage",
            type=JSON,
            title="The coverage's domain",
            query={"f": "json"},
        ),
        link(request, f"{path}/map", rel=REL + "map", type=PNG, title="Map image"),
        tiles,
    ]


def collection_document(
    request: HttpRequest, service: Service, *, current: str = "json"
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": service.identifier,
        "title": service.title,
        "description": service.description,
        "links": [
            *self_links(request, service.path, title=service.title, current=current),
            *_kind_links(request, service),
        ],
        "extent": _extent(service),
        "crs": [CRS84],
        "public": service.is_public,
        "kind": service.kind,
        "owner": service.owner.username,
        "updated": service.updated.isoformat(),
    }
    if service.kind == ServiceKind.FEATURES:
        document["itemType"] = "feature"
    return document


def collections_document(
    request: HttpRequest, username: str, services: list[Service], *, current: str
) -> dict[str, Any]:
    return {
        "links": self_links(
            request, f"{user_path(username)}collections", title="The collections", current=current
        ),
        "collections": [collection_document(request, service) for service in services],
    }


def feature_document(
    request: HttpRequest, service: Service, feature: ServiceFeature, *, with_links: bool = True
) -> dict[str, Any]:
    geojson = getattr(feature, "geojson", None)
    document: dict[str, Any] = {
        "type": "Feature",
        "id": feature.feature_id,
        "geometry": json.loads(geojson) if geojson else None,
        "properties": feature.properties,
    }
    if with_links:
        path = f"{service.path}/items/{feature.feature_id}"
        document["links"] = [
            *self_links(request, path, title=f"Feature {feature.feature_id}", current="json"),
            link(request, service.path, rel="collection", title=service.title),
        ]
        for item in document["links"]:
            if item["type"] == JSON:
                item["type"] = GEOJSON
    return document


def features_document(
    request: HttpRequest, service: Service, page: Page[ServiceFeature], *, current: str
) -> dict[str, Any]:
    links = self_links(request, f"{service.path}/items", title="These features", current=current)
    for item in links:
        if item["type"] == JSON:
            item["type"] = GEOJSON
    return {
        "type": "FeatureCollection",
        "features": [
            feature_document(request, service, feature, with_links=False) for feature in page.items
        ],
        "links": [
            *links,
            *page.links,
            link(request, service.path, rel="collection", title=service.title),
        ],
        "timeStamp": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "numberMatched": page.number_matched,
        "numberReturned": page.number_returned,
    }


def coverage_domain(
    request: HttpRequest, service: Service, sources: list[ServiceSource]
) -> dict[str, Any]:
    """The coverage's domain: its extent, and each raster's grid, bands and download link."""
    coverage = f"{service.path}/coverage"
    return {
        "id": service.identifier,
        "title": service.title,
        "extent": _extent(service),
        "rasters": [
            {
                "crs": source.raster.get("crs"),
                "width": source.raster.get("width"),
                "height": source.raster.get("height"),
                "bounds": source.raster.get("bounds"),
                "dataType": source.raster.get("dtype"),
                "bands": source.raster.get("descriptions"),
                "sizeBytes": source.size_bytes,
                "href": request.build_absolute_uri(coverage) + f"?part={number}",
            }
            for number, source in enumerate(sources, 1)
        ],
        "rendering": service.style,
        "links": [
            link(request, coverage, rel="self", title="This domain", query={"f": "json"}),
            link(request, coverage, rel="enclosure", type=GEOTIFF, title="The (first) raster"),
            link(request, service.path, rel="collection", title=service.title),
        ],
    }
