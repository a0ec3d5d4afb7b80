from django.urls import path

from apps.jobs.api import views

urlpatterns = [
    path(
        "processes/<str:process_id>/execution",
        views.ProcessExecuteApi.as_view(),
        name="process-execute",
    ),
    path("jobs", views.JobListApi.as_view(), name="jobs"),
    path("jobs/<str:job_id>", views.JobStatusApi.as_view(), name="job"),
    path("jobs/<str:job_id>/results", views.JobResultsApi.as_view(), name="job-results"),
    path(
        "jobs/<str:job_id>/results/<str:output_id>",
        views.JobResultApi.as_view(),
        name="job-result",
    ),
    path("jobs/<str:job_id>/runlog", views.JobRunlogApi.as_view(), name="job-runlog"),
]
