"""The administrators' application review queue (§6.8 note), under /manage/apps/."""

from django.urls import path

from apps.processes import review_views

app_name = "review"

urlpatterns = [
    path("", review_views.review_queue, name="queue"),
    path("<str:identifier>/", review_views.review_detail, name="application"),
    path("<str:identifier>/publish", review_views.review_publish, name="publish"),
    path("<str:identifier>/reject", review_views.review_reject, name="reject"),
]
