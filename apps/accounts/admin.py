from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.accounts import services
from apps.accounts.models import AccessRule, ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_approved", "is_active")
    list_filter = ("is_approved", "is_active", "groups")
    readonly_fields = ("approved_at", "approved_by")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Platform", {"fields": ("phone", "is_approved", "approved_at", "approved_by")}),
    )
    actions = ("approve_selected",)

    @admin.action(description="Approve selected users")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        approver = request.user if isinstance(request.user, User) else None
        for user in queryset:
            services.user_approve(user=user, approved_by=approver)
        self.message_user(request, f"Approved {queryset.count()} user(s).", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "hint",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username")
    readonly_fields = ("user", "name", "digest", "hint", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)


@admin.register(AccessRule)
class AccessRuleAdmin(GISModelAdmin):
    list_display = (
        "name",
        "applies_to",
        "user",
        "role",
        "address",
        "operations",
        "resource_types",
        "resource_pattern",
        "expires_at",
        "is_active",
    )
    list_filter = ("applies_to", "role", "is_active", "expires_at")
    search_fields = ("name", "user__username", "resource_pattern", "address")
    autocomplete_fields = ("user",)
