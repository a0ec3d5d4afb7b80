from django.apps import AppConfig
from django.test.signals import setting_changed

from apps.workspaces.storage import platform_storage_reset


class WorkspacesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.workspaces"

    def ready(self) -> None:
        setting_changed.connect(platform_storage_reset)
