from django.apps import AppConfig

from apps.ogc import conformance

PROCESSES_1 = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/"


class ProcessesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.processes"

    def ready(self) -> None:
        from apps.processes import builtins  # noqa: F401 - importing registers them

        conformance.register(
            "processes",
            *(
                PROCESSES_1 + name
                for name in (
                    "core",
                    "ogc-process-description",
                    "json",
                    "html",
                    "oas30",
                    "job-list",
                    "dismiss",
                )
            ),
        )
