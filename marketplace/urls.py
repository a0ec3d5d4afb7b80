from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("", include("apps.portal.urls")),
    path("developer/", include("apps.processes.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("manage/", include("apps.accounts.manage_urls")),
    path("manage/apps/", include("apps.processes.review_urls")),
    path("auth/", include("apps.accounts.auth_urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/accounts/", include("apps.accounts.api.urls")),
    path("api/apps/", include("apps.processes.api.appstore_urls")),
    path("api/", include("apps.workspaces.api.urls")),
    path("ogcapi/", include("apps.ogc.urls")),
    path("catalogue/", include("apps.catalogue.urls")),
    path("services/", include("apps.webservices.urls")),
    path("workspace/", include("apps.workspaces.urls")),
]

handler400 = "apps.ogc.exceptions.handler400"
handler403 = "apps.ogc.exceptions.handler403"
handler404 = "apps.ogc.exceptions.handler404"
handler500 = "apps.ogc.exceptions.handler500"
