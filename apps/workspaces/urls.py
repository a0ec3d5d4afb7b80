from django.urls import path

from apps.workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("", views.workspace_browser, name="browser"),
    path("<path:path>", views.workspace_browser, name="browser-path"),
]
