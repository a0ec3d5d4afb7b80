from django.urls import path

from apps.processes.api import appstore

app_name = "appstore-api"

urlpatterns = [
    path("", appstore.ApplicationListApi.as_view(), name="applications"),
    path("review", appstore.ReviewQueueApi.as_view(), name="review"),
    path("<str:process_id>", appstore.ApplicationDetailApi.as_view(), name="application"),
    path(
        "<str:process_id>/statistics",
        appstore.ApplicationStatisticsApi.as_view(),
        name="statistics",
    ),
    path("<str:process_id>/<str:action>", appstore.ApplicationActionApi.as_view(), name="action"),
]
