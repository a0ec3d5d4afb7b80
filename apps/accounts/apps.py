from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.accounts"

    def ready(self) -> None:
        from apps.accounts import (  # noqa: F401 - registers what they define
            rule_cache,  # the access rules' change signals
            schema,  # OpenAPI security schemes
        )
