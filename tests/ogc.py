"""OGC API - Processes as tests use it: execute and deploy requests, and the packages
deployed and jobs submitted through the services behind them."""

import json
from typing import Any
from urllib.parse import urlencode

from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.jobs.models import Job
from apps.processes.models import Process
from apps.processes.packages import package_read
from apps.processes.services import process_deploy, processes_sync_builtins
from tests.fixtures import submit_job

PACKAGE = "application/ogcapppkg+json"


def execute(
    client: APIClient,
    process_id: str,
    body: Any,
    *,
    response_handler: str | None = None,
    **headers: Any,
) -> Any:
    """POST an execute request; `response_handler` is the `responseHandler` query parameter."""
    query = f"?{urlencode({'responseHandler': response_handler})}" if response_handler else ""
    return client.post(
        f"/ogcapi/processes/{process_id}/execution{query}",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def deploy(client: APIClient, package: dict[str, Any]) -> Any:
    """POST an application package to the process list."""
    return client.post("/ogcapi/processes", data=json.dumps(package), content_type=PACKAGE)


def deployed(user: User, package: dict[str, Any]) -> Process:
    """The process `user` deployed from `package` through the service."""
    return process_deploy(user=user, package=package_read(package))


def submit_builtin_job(user: User, process_identifier: str, body: dict[str, Any]) -> Job:
    """Bring the built-in processes into the database, then submit a job to one of them."""
    processes_sync_builtins()
    return submit_job(user, process_identifier, body)


def submit_countdown(user: User, *, seconds: int) -> Job:
    return submit_builtin_job(user, "countdown", {"inputs": {"seconds": seconds}})
