from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from apps.workspaces import services
from apps.workspaces.models import ShareGrant, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    """Quotas are set here; used bytes are the platform's count and only change by use."""

    list_display = ("owner", "quota_bytes", "used_bytes", "used_percent", "created_at")
    search_fields = ("owner__username", "owner__email")
    fields = ("owner", "quota_bytes", "used_bytes", "created_at")
    readonly_fields = ("owner", "used_bytes", "created_at")
    actions = ("reconcile_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a workspace comes with the approval of its owner

    def save_model(
        self, request: HttpRequest, obj: Workspace, form: "ModelForm[Workspace]", change: bool
    ) -> None:
        # Through the service, so that a lower quota can record a quota event.
        services.workspace_quota_set(workspace=obj, quota_bytes=obj.quota_bytes)

    @admin.display(description="used %")
    def used_percent(self, workspace: Workspace) -> float:
        return workspace.used_percent

    @admin.action(description="Recount used space from storage")
    def reconcile_selected(self, request: HttpRequest, queryset: QuerySet[Workspace]) -> None:
        for workspace in queryset.select_related("owner"):
            services.workspace_usage_reconcile(workspace=workspace)
        self.message_user(request, f"Recounted {queryset.count()} workspace(s).", messages.SUCCESS)


@admin.register(ShareGrant)
class ShareGrantAdmin(admin.ModelAdmin):
    list_display = ("owner", "path", "grantee", "is_everyone", "permission", "created_at")
    list_filter = ("is_everyone", "permission")
    search_fields = ("owner__username", "grantee__username", "path")
    readonly_fields = ("owner", "path", "grantee", "is_everyone", "permission", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # owners grant from their workspace; administrators may revoke here
