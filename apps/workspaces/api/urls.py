from django.urls import path

from apps.workspaces.api import views

app_name = "workspaces-api"

urlpatterns = [
    path("workspace", views.WorkspaceApi.as_view(), name="workspace"),
    path("workspace/files/", views.WorkspaceRootApi.as_view(), name="files-root"),
    path("workspace/files/<path:path>", views.WorkspaceFilesApi.as_view(), name="files"),
    path("workspace/shares", views.ShareListApi.as_view(), name="shares"),
    path("workspace/shares/<int:share_id>", views.ShareDetailApi.as_view(), name="share"),
]
