from django.urls import path

from apps.accounts.api import views

app_name = "accounts-api"

urlpatterns = [
    path("me", views.MeApi.as_view(), name="me"),
    path("tokens", views.TokenListApi.as_view(), name="tokens"),
    path("tokens/<int:token_id>", views.TokenRevokeApi.as_view(), name="token"),
    path("users", views.UserListApi.as_view(), name="users"),
    path("users/<str:username>", views.UserDetailApi.as_view(), name="user"),
    path("users/<str:username>/approve", views.UserApproveApi.as_view(), name="user-approve"),
]
