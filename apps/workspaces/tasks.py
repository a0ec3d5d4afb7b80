"""Thin Celery tasks around the workspace services."""

from celery import shared_task

from apps.workspaces import services


@shared_task(name="workspaces.reconcile_usage")
def workspaces_reconcile_usage_task() -> dict[str, int]:
    """Hourly (CELERY_BEAT_SCHEDULE): used bytes recounted from storage, stale uploads ended."""
    return services.workspaces_usage_reconcile()
