"""Developer mode pages (§21.1.1), under /developer/."""

from django.urls import path

from apps.processes import views

app_name = "developer"

urlpatterns = [
    path("apps/", views.application_list, name="applications"),
    path("apps/<str:identifier>/", views.application_detail, name="application"),
    path("apps/<str:identifier>/submit", views.application_submit, name="application-submit"),
    path("apps/<str:identifier>/withdraw", views.application_withdraw, name="application-withdraw"),
    path("apps/<str:identifier>/replace", views.application_replace, name="application-replace"),
    path("apps/<str:identifier>/undeploy", views.application_undeploy, name="application-undeploy"),
    path("deploy/", views.application_deploy, name="deploy"),
    path("deploy/preview", views.application_deploy_preview, name="deploy-preview"),
    path("statistics/", views.application_statistics, name="statistics"),
]
