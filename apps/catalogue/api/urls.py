from django.urls import path

from apps.catalogue.api import views

urlpatterns = [
    path("collections", views.CollectionsApi.as_view(), name="collections"),
    path("collections/<str:collection_id>", views.CatalogueApi.as_view(), name="catalogue"),
    path(
        "collections/<str:collection_id>/queryables",
        views.QueryablesApi.as_view(),
        name="queryables",
    ),
    path("collections/<str:collection_id>/items", views.ItemsApi.as_view(), name="items"),
    path(
        "collections/<str:collection_id>/items/<str:record_id>",
        views.ItemApi.as_view(),
        name="item",
    ),
    path("collections/<str:collection_id>/harvest", views.HarvestApi.as_view(), name="harvest"),
]
