from django.urls import path

from apps.jobs.consumers import JobStatusConsumer, UserJobsConsumer

websocket_urlpatterns = [
    path("ws/jobs/", UserJobsConsumer.as_asgi()),
    path("ws/jobs/<str:job_id>/", JobStatusConsumer.as_asgi()),
]
