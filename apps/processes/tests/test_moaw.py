"""The `moaw` runner: a deployed workflow runs its source as its caller."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.jobs.models import JobStatus
from apps.processes.runners.base import RunContext
from apps.processes.runners.moaw import MoawRunner
from apps.processes.services import processes_sync_builtins
from apps.processes.tests.docker_packages import job_accept, job_run_now
from apps.processes.tests.package_examples import muladd_package
from tests.ogc import deployed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_access_rules")]


def test_a_workflow_runs_as_the_owner_its_context_carries(dana: User, tmp_path: Path) -> None:
    # given §16.2.2 Example 7 deployed, and the context of a job of its developer
    processes_sync_builtins()
    muladd = deployed(dana, muladd_package())
    context = RunContext(
        job_id="j",
        owner=dana,
        workdir=tmp_path,
        progress=lambda percent, message="": None,
    )

    # when it runs
    with CaptureQueriesContext(connection) as queries:
        results = MoawRunner().run(muladd, {"value1": 10.2, "value2": 9.2, "value3": 4.3}, context)

    # then it gave value3 * (value1 + value2) without reading its owner again
    assert results == {"result": pytest.approx(83.42)}
    assert _owner_reads(queries) == []


def test_a_workflow_job_reads_its_owner_once(dana: User) -> None:
    # given an accepted job of the deployed Example 7
    processes_sync_builtins()
    muladd = deployed(dana, muladd_package())
    job = job_accept(dana, muladd, {"inputs": {"value1": 10.2, "value2": 9.2, "value3": 4.3}})

    # when a worker runs it
    with CaptureQueriesContext(connection) as queries:
        job = job_run_now(job)

    # then the owner came with the job, and was not read on its own
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    assert _owner_reads(queries) == []


def _owner_reads(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read users on their own (not joined to what was read)."""
    return [
        query["sql"] for query in queries.captured_queries if 'FROM "accounts_user"' in query["sql"]
    ]
