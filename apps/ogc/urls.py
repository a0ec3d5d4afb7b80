from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from apps.ogc.views import ConformanceApi, LandingApi

app_name = "ogcapi"


class ProcessesLandingApi(LandingApi):
    extra_links = [
        ("processes", "http://www.opengis.net/def/rel/ogc/1.0/processes", "The processes"),
        ("jobs", "http://www.opengis.net/def/rel/ogc/1.0/job-list", "Your jobs"),
    ]


urlpatterns = [
    path("", ProcessesLandingApi.as_view(), name="landing"),
    path("conformance", ConformanceApi.as_view(), name="conformance"),
    path("api", SpectacularAPIView.as_view(), name="api"),
    path("", include("apps.processes.api.urls")),
    path("", include("apps.jobs.api.urls")),
]
