from typing import Any, ClassVar

from django import forms
from django.contrib import admin

from apps.processes.models import RemoteProvider

SECRET_FIELDS = ("token", "password")


class RemoteProviderForm(forms.ModelForm):
    """Secrets are never shown back; left blank when editing, they stay as they were."""

    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text=RemoteProvider._meta.get_field("url").help_text,
    )

    class Meta:
        model = RemoteProvider
        fields = ("name", "url", "enabled", "token", "username", "password")
        widgets: ClassVar = {
            "token": forms.PasswordInput(render_value=False),
            "password": forms.PasswordInput(render_value=False),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None:
            for name in SECRET_FIELDS:
                if not cleaned.get(name):
                    cleaned[name] = getattr(self.instance, name)
        return cleaned


@admin.register(RemoteProvider)
class RemoteProviderAdmin(admin.ModelAdmin):
    """Trusted TEPs whose processes workflows may call by URL (§6.15, §16.2.2)."""

    form = RemoteProviderForm
    list_display = ("name", "url", "enabled", "authentication", "created_at")
    list_filter = ("enabled",)
    search_fields = ("name", "url")

    @admin.display(description="Authentication")
    def authentication(self, provider: RemoteProvider) -> str:
        if provider.token:
            return "bearer token"
        return "basic" if provider.username else "none"
