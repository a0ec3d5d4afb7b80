"""Reading services: who may use which (one rule for every route), features by bbox and page."""

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import User
from apps.webservices.models import Service, ServiceFeature, ServiceSource


def services_visible_to(user: User | None) -> QuerySet[Service]:
    """Public services, plus the caller's own and those shared with them."""
    services = Service.objects.select_related("owner")
    if user is None:
        return services.filter(is_public=True)
    shared = Service.readers.through.objects.filter(service_id=OuterRef("pk"), user_id=user.pk)
    return services.filter(Q(is_public=True) | Q(owner=user) | Exists(shared))


def service_get_visible_to(*, username: str, identifier: str, user: User | None) -> Service | None:
    return services_visible_to(user).filter(owner__username=username, identifier=identifier).first()


def service_list_of_owner(*, username: str, user: User | None) -> QuerySet[Service]:
    """The owner's services that the caller may use, for the owner's landing page."""
    return services_visible_to(user).filter(owner__username=username).order_by("identifier")


def service_can_manage(service: Service, user: User | None) -> bool:
    """Only the owner changes a service; grantees and the public only read it."""
    return user is not None and service.owner_id == user.pk


def bbox_geometry(bbox: tuple[float, float, float, float]) -> GEOSGeometry:
    """The bbox as a polygon; one that crosses the antimeridian (west > east) as two."""
    west, south, east, north = bbox
    if west <= east:
        geometry: GEOSGeometry = Polygon.from_bbox((west, south, east, north))
    else:
        geometry = MultiPolygon(
            Polygon.from_bbox((west, south, 180.0, north)),
            Polygon.from_bbox((-180.0, south, east, north)),
        )
    geometry.srid = 4326
    return geometry


def service_features(
    service: Service, *, bbox: tuple[float, float, float, float] | None = None
) -> QuerySet[ServiceFeature]:
    """The service's features in id order, with their geometry as GeoJSON text (`geojson`)."""
    features = ServiceFeature.objects.filter(service=service)
    if bbox is not None:
        features = features.filter(geometry__intersects=bbox_geometry(bbox))
    return features.annotate(geojson=AsGeoJSON("geometry")).defer("geometry").order_by("feature_id")


def service_feature(service: Service, feature_id: str) -> ServiceFeature | None:
    if not feature_id.isdigit():
        return None
    return service_features(service).filter(feature_id=int(feature_id)).first()


def service_raster_sources(
    service: Service, *, bbox: tuple[float, float, float, float] | None = None
) -> list[ServiceSource]:
    """The rasters to read for an image, in the order they were added (the first one wins)."""
    sources = service.sources.all()
    if bbox is not None:
        sources = sources.filter(footprint__intersects=bbox_geometry(bbox))
    return list(sources.order_by("pk"))
