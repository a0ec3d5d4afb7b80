from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from apps.ogc.views import ConformanceApi, LandingApi

app_name = "catalogue"


class RecordsLandingApi(LandingApi):
    api = "records"
    title = "TEP Marketplace - OGC API - Records"
    description = "Find the platform's data, applications, services and your own results."
    extra_links = [
        ("collections", "data", "The catalogues"),
        ("collections", "http://www.opengis.net/def/rel/ogc/1.0/data", "The catalogues"),
    ]


class RecordsConformanceApi(ConformanceApi):
    api = "records"


urlpatterns = [
    path("", RecordsLandingApi.as_view(), name="landing"),
    path("conformance", RecordsConformanceApi.as_view(), name="conformance"),
    path("api", SpectacularAPIView.as_view(), name="api"),
    path("", include("apps.catalogue.api.urls")),
]
