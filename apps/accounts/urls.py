from django.urls import path

from apps.accounts import tokens_views, views

app_name = "accounts"

urlpatterns = [
    path("pending/", views.pending, name="pending"),
    path("tokens/", tokens_views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke", tokens_views.token_revoke, name="token-revoke"),
]
