from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.processes"

    def ready(self) -> None:
        from apps.processes import builtins  # noqa: F401 - importing registers them
