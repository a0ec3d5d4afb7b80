from django.urls import path

from apps.webservices.api import features, maps, views

app_name = "webservices"

SERVICE = "<str:username>/collections/<str:service_id>"

urlpatterns = [
    path("<str:username>/", views.LandingApi.as_view(), name="landing"),
    path("<str:username>/conformance", views.ConformanceApi.as_view(), name="conformance"),
    path("<str:username>/collections", views.CollectionsApi.as_view(), name="collections"),
    path(SERVICE, views.CollectionApi.as_view(), name="collection"),
    path(f"{SERVICE}/files", views.FilesApi.as_view(), name="files"),
    path(f"{SERVICE}/readers", views.ReadersApi.as_view(), name="readers"),
    path(f"{SERVICE}/readers/<str:reader>", views.ReaderApi.as_view(), name="reader"),
    path(f"{SERVICE}/items", features.ItemsApi.as_view(), name="items"),
    path(f"{SERVICE}/items/<str:feature_id>", features.ItemApi.as_view(), name="item"),
    path(f"{SERVICE}/coverage", maps.CoverageApi.as_view(), name="coverage"),
    path(f"{SERVICE}/map", maps.MapApi.as_view(), name="map"),
    path(
        f"{SERVICE}/map/tiles/WebMercatorQuad/<int:z>/<int:y>/<int:x>.png",
        maps.TileApi.as_view(),
        name="tile",
    ),
]
