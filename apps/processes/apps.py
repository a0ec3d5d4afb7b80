from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from apps.ogc import conformance

PROCESSES_1 = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/"
PROCESSES_2 = "http://www.opengis.net/spec/ogcapi-processes-2/1.0/conf/"
PROCESSES_3 = "http://www.opengis.net/spec/ogcapi-processes-3/0.0/conf/"


def _sync_builtins(sender: AppConfig, **kwargs: Any) -> None:
    from apps.processes.services import processes_sync_builtins

    processes_sync_builtins()


class ProcessesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.processes"

    def ready(self) -> None:
        from apps.processes import builtins, builtins_geo  # noqa: F401 - importing registers them

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
                    "callback",
                )
            ),
            *(
                PROCESSES_2 + name
                for name in ("deploy-replace-undeploy", "ogcapppkg", "docker", "cwl")
            ),
            *(
                PROCESSES_3 + name
                for name in ("nested-processes", "remote-core-processes", "deployable-workflows")
            ),
        )
        post_migrate.connect(_sync_builtins, sender=self)
