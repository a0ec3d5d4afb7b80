"""The Celery application: configuration from Django settings, tasks from each app."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _commit_asynchronously(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A worker's writes (job progress, statuses) need not wait for the disk.

    If PostgreSQL itself crashes, the last fraction of a second of them may be lost; such
    a job then stops beating and the janitor requeues it. The web process keeps durable
    commits: a job it has accepted is never lost.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


@worker_init.connect
def _worker_database_settings(**kwargs: Any) -> None:
    """One persistent connection per worker process instead of the web's pool.

    Runs before the pool processes are forked, so none of them inherits a pool's threads.
    """
    from django.conf import settings
    from django.db import connections
    from django.db.backends.signals import connection_created

    for alias in connections:
        options = connections[alias].settings_dict.setdefault("OPTIONS", {})
        options.pop("pool", None)
        connections[alias].settings_dict["CONN_MAX_AGE"] = settings.WORKER_CONN_MAX_AGE
    connection_created.connect(_commit_asynchronously, weak=False)


@worker_process_shutdown.connect
def _send_pending_live_messages(**kwargs: Any) -> None:
    from apps.notifications.live import live_flush

    live_flush(timeout=2.0)
