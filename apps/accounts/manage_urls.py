from django.urls import path

from apps.accounts import manage_views

app_name = "manage"

urlpatterns = [
    path("users/", manage_views.user_list, name="users"),
    path("users/<str:username>/approve", manage_views.user_approve, name="user-approve"),
    path("users/<str:username>/active", manage_views.user_set_active, name="user-active"),
    path("users/<str:username>/edit", manage_views.user_edit, name="user-edit"),
    path("users/<str:username>/delete", manage_views.user_delete, name="user-delete"),
]
