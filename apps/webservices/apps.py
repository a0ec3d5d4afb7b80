from django.apps import AppConfig


class WebservicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.webservices"
