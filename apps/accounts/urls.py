from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("pending/", views.pending, name="pending"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke", views.token_revoke, name="token-revoke"),
]
