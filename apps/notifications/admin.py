from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.notifications.events import event_title
from apps.notifications.models import Event, EventProperty


class EventPropertyInline(admin.TabularInline):
    model = EventProperty
    extra = 0
    can_delete = False
    readonly_fields = ("key", "value")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events are a permanent record: readable here, never added, changed or deleted."""

    list_display = ("id", "created_at", "event_type", "title")
    list_filter = ("event_type", "created_at")
    date_hierarchy = "created_at"
    inlines = (EventPropertyInline,)

    @admin.display(description="Title")
    def title(self, event: Event) -> str:
        return event_title(event)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
