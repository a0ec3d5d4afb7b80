"""OGC API - Records under /catalogue/: the catalogue, search, single records, CRUD, harvest."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsApprovedUser, authenticated_user
from apps.catalogue import harvest, search, selectors, services
from apps.catalogue.encoding import CATALOGUE_ID, GEOJSON, ITEMS_PATH, record_feature, record_path
from apps.catalogue.models import Record, RecordType
from apps.catalogue.queryables import QUERYABLES, queryables_schema
from apps.ogc.errors import ApplicationError, NotFoundError
from apps.ogc.links import HTML, JSON, absolute_url, link, self_links
from apps.ogc.responses import negotiated_format, ogc_response
from apps.processes.api.views import caller

NO_SUCH_RECORD = "http://www.opengis.net/def/exceptions/ogcapi-records-1/1.0/not-found"
SCHEMA_JSON = "application/schema+json"


class ReadOpenWriteApproved(BasePermission):
    """Anybody may read (visibility decides what); approved users may write."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return IsApprovedUser().has_permission(request, view)


def _catalogue_or_404(collection_id: str) -> None:
    if collection_id != CATALOGUE_ID:
        raise NotFoundError(f"There is no catalogue {collection_id!r}.", type=NO_SUCH_RECORD)


def record_or_404(request: Request, record_id: str) -> Record:
    record = selectors.record_get_visible_to(record_id=record_id, user=caller(request))
    if record is None:
        raise NotFoundError(
            f"There is no record {record_id!r}.", type=NO_SUCH_RECORD, title="No such record"
        )
    return record


def catalogue_document(request: Request) -> dict[str, Any]:
    """The TEP catalogue as a Records `catalog` (a Features collection of records)."""
    base = f"/catalogue/collections/{CATALOGUE_ID}"
    return {
        "id": CATALOGUE_ID,
        "type": "Collection",
        "itemType": "record",
        "title": "TEP catalogue",
        "description": "Data products, applications, services and results of the TEP Marketplace.",
        "keywords": ["Earth observation", "TEP", "catalogue"],
        "language": {"code": "en"},
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {
            "spatial": {
                "bbox": [[-180, -90, 180, 90]],
                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            },
            "temporal": {"interval": [[None, None]]},
        },
        "publicRecords": selectors.public_records_estimate(),
        "links": [
            link(request, base, rel="self", type=JSON, title="This catalogue"),
            link(
                request,
                base,
                rel="alternate",
                type=HTML,
                title="This catalogue as HTML",
                query={"f": "html"},
            ),
            link(request, f"{base}/items", rel="items", type=GEOJSON, title="The records"),
            link(
                request,
                f"{base}/items",
                rel="items",
                type=HTML,
                title="Search the records",
                query={"f": "html"},
            ),
            link(
                request,
                f"{base}/queryables",
                rel="http://www.opengis.net/def/rel/ogc/1.0/queryables",
                type=SCHEMA_JSON,
                title="What records can be filtered by",
            ),
        ],
    }


class CollectionsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: OpenApiResponse(description="The catalogues (one).")}, tags=["records"]
    )
    def get(self, request: Request) -> HttpResponse:
        document = {
            "collections": [catalogue_document(request)],
            "links": self_links(
                request,
                "/catalogue/collections",
                title="The catalogues",
                current=negotiated_format(request),
            ),
        }
        return ogc_response(request, document, template="catalogue/collections.html")


class CatalogueApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiResponse(description="The catalogue.")}, tags=["records"])
    def get(self, request: Request, collection_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        return ogc_response(
            request, catalogue_document(request), template="catalogue/collections.html"
        )


class QueryablesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: OpenApiResponse(description="Queryables (JSON Schema).")}, tags=["records"]
    )
    def get(self, request: Request, collection_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        document = queryables_schema(request, collection_id)
        return ogc_response(
            request, document, template="catalogue/queryables.html", content_type=SCHEMA_JSON
        )


def _page_links(request: Request, result: search.SearchResult) -> list[dict[str, str]]:
    query = {key: request.GET.getlist(key) for key in request.GET if key not in ("offset", "f")}
    query["limit"] = [str(result.limit)]
    links = self_links(
        request, ITEMS_PATH, title="These records", current=negotiated_format(request)
    )
    for item in links:
        if item["type"] == JSON:
            item["type"] = GEOJSON
    if result.has_next:
        links.append(
            {
                "href": absolute_url(
                    request, ITEMS_PATH, {**query, "offset": result.offset + result.limit}
                ),
                "rel": "next",
                "type": GEOJSON,
                "title": "The next records",
            }
        )
    if result.offset > 0:
        links.append(
            {
                "href": absolute_url(
                    request, ITEMS_PATH, {**query, "offset": max(0, result.offset - result.limit)}
                ),
                "rel": "prev",
                "type": GEOJSON,
                "title": "The previous records",
            }
        )
    links.append(
        link(
            request,
            f"/catalogue/collections/{CATALOGUE_ID}",
            rel="collection",
            type=JSON,
            title="The catalogue",
        )
    )
    return links


class ItemsApi(APIView):
    permission_classes = [ReadOpenWriteApproved]
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str),
            OpenApiParameter("datetime", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
            OpenApiParameter("q", str),
            OpenApiParameter("type", str),
            OpenApiParameter("externalid", str),
            OpenApiParameter("filter", str),
            OpenApiParameter("filter-lang", str, enum=["cql2-text", "cql2-json"]),
            OpenApiParameter("filter-crs", str),
            OpenApiParameter("sortby", str),
        ],
        responses={200: OpenApiResponse(description="Matching records (GeoJSON).")},
        tags=["records"],
    )
    def get(self, request: Request, collection_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        user = caller(request)
        result = selectors.records_search(request.GET, user)
        document: dict[str, Any] = {
            "type": "FeatureCollection",
            "features": [record_feature(request, record) for record in result.records],
            "numberReturned": len(result.records),
            "links": _page_links(request, result),
        }
        if result.number_matched is not None:
            document["numberMatched"] = result.number_matched
        context: dict[str, Any] = {}
        if negotiated_format(request) == "html":
            context = {
                "facets": selectors.type_facets(request.GET, user),
                "record_types": RecordType.choices,
                "result": result,
                "count_cap": search.COUNT_CAP,
                "platforms": QUERYABLES["platform"],
                "parameters": request.GET,
            }
        return ogc_response(
            request,
            document,
            template="catalogue/search.html",
            context=context,
            content_type=GEOJSON,
        )

    @extend_schema(
        request=dict, responses={201: OpenApiResponse(description="Created.")}, tags=["records"]
    )
    def post(self, request: Request, collection_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        record, _created = services.record_save(
            document=request.data, user=authenticated_user(request)
        )
        return _saved(request, record, status=201)


def _saved(request: Request, record: Record, *, status: int) -> Response:
    outgoing, incoming = selectors.record_associations(record, caller(request))
    body = record_feature(request, record, outgoing=outgoing, incoming=incoming)
    location = request.build_absolute_uri(record_path(record.pk))
    return Response(body, status=status, content_type=GEOJSON, headers={"Location": location})


class ItemApi(APIView):
    permission_classes = [ReadOpenWriteApproved]
    parser_classes = [JSONParser]

    @extend_schema(
        responses={200: OpenApiResponse(description="One record (GeoJSON).")}, tags=["records"]
    )
    def get(self, request: Request, collection_id: str, record_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        record = record_or_404(request, record_id)
        outgoing, incoming = selectors.record_associations(record, caller(request))
        document = record_feature(request, record, outgoing=outgoing, incoming=incoming)
        context = {}
        if negotiated_format(request) == "html":
            context = {
                "record": record,
                "outgoing": outgoing,
                "incoming": incoming,
                "applications": selectors.applications_for(record, incoming),
            }
        return ogc_response(
            request,
            document,
            template="catalogue/record.html",
            context=context,
            content_type=GEOJSON,
        )

    @extend_schema(
        request=dict, responses={200: OpenApiResponse(description="Replaced.")}, tags=["records"]
    )
    def put(self, request: Request, collection_id: str, record_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        user = authenticated_user(request)
        if Record.objects.filter(pk=record_id).exists():
            record_or_404(request, record_id)  # someone else's private record: 404, as on GET
        record, created = services.record_save(
            document=request.data, user=user, record_id=record_id
        )
        return _saved(request, record, status=201 if created else 200)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted.")}, tags=["records"])
    def delete(self, request: Request, collection_id: str, record_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        record = record_or_404(request, record_id)
        services.record_delete(record=record, user=authenticated_user(request))
        return Response(status=204)


class HarvestApi(APIView):
    permission_classes = [IsApprovedUser]
    parser_classes = [JSONParser]

    @extend_schema(
        request=dict, responses={201: OpenApiResponse(description="Harvested.")}, tags=["records"]
    )
    def post(self, request: Request, collection_id: str) -> HttpResponse:
        _catalogue_or_404(collection_id)
        url = request.data.get("url") if isinstance(request.data, dict) else None
        if not isinstance(url, str) or not url:
            raise ApplicationError('Harvest takes {"url": "https://…"}: the resource to describe.')
        record, created = harvest.record_harvest(url=url, user=authenticated_user(request))
        return _saved(request, record, status=201 if created else 200)
