from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.accounts"

    def ready(self) -> None:
        from apps.accounts import (  # noqa: F401 - registers what they define
            rule_cache,  # the access rules' change signals
            schema,  # OpenAPI security schemes
        )

        post_migrate.connect(
            rule_cache.access_rules_migrated, sender=self, dispatch_uid="access_rules_migrated"
        )
