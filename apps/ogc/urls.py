from django.urls import path

from apps.ogc.views import ConformanceApi, LandingApi

app_name = "ogcapi"

urlpatterns = [
    path("", LandingApi.as_view(), name="landing"),
    path("conformance", ConformanceApi.as_view(), name="conformance"),
]
