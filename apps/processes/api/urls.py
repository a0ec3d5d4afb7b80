from django.urls import path

from apps.processes.api import views

urlpatterns = [
    path("processes", views.ProcessListApi.as_view(), name="processes"),
    path("processes/<str:process_id>", views.ProcessDescriptionApi.as_view(), name="process"),
]
