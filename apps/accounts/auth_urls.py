from django.urls import path

from apps.accounts import auth_views

app_name = "auth"

urlpatterns = [
    path("", auth_views.operation_view, name="operation"),
    path("login", auth_views.login_view, name="login"),
    path("logout", auth_views.logout_view, name="logout"),
    path("getCredentials", auth_views.get_credentials_view, name="get-credentials"),
    path("keys", auth_views.keys_view, name="keys"),
]
