from django.apps import AppConfig

from apps.ogc import conformance

FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"


class WebservicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.webservices"
    verbose_name = "Web services"

    def ready(self) -> None:
        conformance.register(
            "services", *(FEATURES + name for name in ("core", "oas30", "html", "geojson"))
        )
