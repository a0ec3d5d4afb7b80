"""Nested processes and deployed workflows (OGC API - Processes - Part 3, §16.2.2), end to end:
HTTP requests and a real worker."""

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from apps.accounts.models import AccessRule, User
from apps.jobs.models import Job, JobLogLine, JobStatus
from apps.jobs.reporting import JobDismissedError
from apps.jobs.services import job_workdir
from apps.processes.models import RemoteProvider
from apps.processes.nesting.execution import HELD_PERCENT, NestedProgress
from apps.processes.remote import remote_process_of
from apps.processes.runners.base import RunContext, run_log_writer
from apps.processes.services import processes_sync_builtins
from apps.processes.tests.package_examples import muladd_package
from tests.clients import client_of, session_client_of
from tests.fixtures import wait_for
from tests.ogc import deploy, execute

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]

PART_3 = "http://www.opengis.net/spec/ogcapi-processes-3/0.0/conf/"


@pytest.fixture(autouse=True)
def _builtins() -> None:
    processes_sync_builtins()


BRANCHES = ("value1", "value2")


def logged_at(lines: dict[str, datetime], prefix: str) -> datetime:
    """When the one run-log line starting with `prefix` was written."""
    (created,) = [created for line, created in lines.items() if line.startswith(prefix)]
    return created


def add(value1: Any, value2: Any) -> dict[str, Any]:
    return {"process": "Add", "inputs": {"value1": value1, "value2": value2}}


def mul(value1: Any, value2: Any) -> dict[str, Any]:
    return {"process": "Mul", "inputs": {"value1": value1, "value2": value2}}


def test_example_5_adds_then_multiplies(alice: User) -> None:
    # given §16.2.2 Example 5: 10.2 * (9.2 + 4.3)
    body = {"inputs": {"value1": 10.2, "value2": add(9.2, 4.3)}}

    # when it is executed synchronously
    response = execute(client_of(alice), "Mul", body)

    # then the nested Add fed Mul
    assert response.status_code == 200
    assert response.json() == {"result": 137.7}


def test_nesting_may_be_deep(alice: User) -> None:
    # given 2 * ((1 + 2) + (3 * (4 + 1)))
    body = {"inputs": {"value1": 2, "value2": add(add(1, 2), mul(3, add(4, 1)))}}

    response = execute(client_of(alice), "Mul", body)

    assert response.status_code == 200
    assert response.json() == {"result": 36}


def test_sibling_nested_processes_run_at_the_same_time(alice: User) -> None:
    # given two nested countdowns of one second each feeding Add
    countdown = {"process": "countdown", "inputs": {"seconds": 1}}
    body = {"inputs": {"value1": countdown, "value2": countdown}}

    # when the job runs
    response = execute(client_of(alice), "Add", body, HTTP_PREFER="respond-async")
    job = Job.objects.get(pk=response.json()["jobID"])
    wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.SUCCESSFUL)

    # then each branch started before either finished, and their reports reached the run log
    lines = {line.line: line.created for line in JobLogLine.objects.filter(job=job)}
    starts = [logged_at(lines, f"  0% [{name}: countdown] started") for name in BRANCHES]
    ends = [logged_at(lines, f"  0% [{name}: countdown] finished in") for name in BRANCHES]
    assert max(starts) < min(ends)
    assert (job_workdir(job) / "nested" / "1").is_dir()
    assert (job_workdir(job) / "nested" / "2").is_dir()
    assert "  0% [value1: countdown] 0% 1 s to go" in lines
    assert "  0% [value2: countdown] 100% done" in lines
    assert client_of(alice).get(f"/ogcapi/jobs/{job.pk}/results").json() == {"result": 2}


def test_a_deployed_moaw_workflow_runs_its_source(dana: User) -> None:
    # given §16.2.2 Example 7 deployed by a developer
    deployed = deploy(client_of(dana), muladd_package())
    assert deployed.status_code == 201

    # when it is run with Example 8's inputs
    body = {"inputs": {"value1": 10.2, "value2": 9.2, "value3": 4.3}}
    response = execute(client_of(dana), "MulAdd", body)

    # then it is value3 * (value1 + value2)
    assert response.status_code == 200
    assert response.json() == {"result": 83.42}


def test_a_deployed_workflow_may_itself_be_nested(dana: User) -> None:
    deploy(client_of(dana), muladd_package())
    muladd = {"process": "MulAdd", "inputs": {"value1": 1, "value2": 2, "value3": 3}}

    response = execute(client_of(dana), "Add", {"inputs": {"value1": muladd, "value2": 1}})

    assert response.status_code == 200
    assert response.json() == {"result": 10}


def test_a_failing_nested_process_fails_the_job(alice: User) -> None:
    # given a nested Add fed a string by a nested echo, which no submission check can see
    echo = {"process": "echo", "inputs": {"value": "x"}}
    body = {"inputs": {"value1": 1, "value2": add(1, echo)}}

    # when it runs
    response = execute(client_of(alice), "Mul", body)

    # then the job fails, and its run log shows the step that did not finish
    assert response.status_code == 500
    assert response.json()["detail"].startswith("TypeError: unsupported operand")
    lines = list(JobLogLine.objects.values_list("line", flat=True))
    assert "  0% [value2: Add] started" in lines
    assert "  0% [value2: Add] [value2: echo] started" in lines
    assert not any(line.startswith("  0% [value2: Add] finished") for line in lines)


@pytest.mark.parametrize(
    ("nested", "problem"),
    [
        (
            {"process": "no-such-process", "inputs": {}},
            "Input 'value2' (nested process 'no-such-process'): there is no such process.",
        ),
        (
            add("x", 1),
            "Input 'value2' (nested process 'Add'): Input 'value1': 'x' is not of type 'number'.",
        ),
        (
            {"process": "Add", "inputs": {"value1": 1}},
            "Input 'value2' (nested process 'Add'): Missing input 'value2'.",
        ),
        (
            {"process": "http://127.0.0.1:9/processes/Add", "inputs": {}},
            "Input 'value2' (nested process 'http://127.0.0.1:9/processes/Add'): "
            "http://127.0.0.1:9/processes/Add is not a process of a registered remote provider.",
        ),
        (
            {"process": "ndvi", "inputs": {}},
            "Input 'value2' (nested process 'ndvi'): it gives 2 outputs (ndvi, preview) but the "
            "input takes one value: choose one with 'outputs'.",
        ),
        (
            {"process": "clip-raster", "inputs": {}},
            "Input 'value2' (nested process 'clip-raster'): its output 'clipped' is of type "
            "string, but the input takes integer/number.",
        ),
        (
            add(1, {"process": "nope", "inputs": {}}),
            "Input 'value2' (nested process 'Add'): "
            "Input 'value2' (nested process 'nope'): there is no such process.",
        ),
    ],
)
def test_problems_of_nested_processes_are_refused(
    alice: User, nested: dict[str, Any], problem: str
) -> None:
    # when a nested call has a problem
    response = execute(client_of(alice), "Mul", {"inputs": {"value1": 1, "value2": nested}})

    # then the request is refused naming it, and no job exists
    assert response.status_code == 400
    assert problem in response.json()["problems"]
    assert not Job.objects.exists()


def test_every_problem_is_listed_at_once(alice: User, dana: User) -> None:
    # given a process private to another user
    deployed = deploy(client_of(dana), muladd_package())
    assert deployed.status_code == 201, deployed.json()
    private = {"process": "MulAdd", "inputs": {"value1": 1, "value2": 2, "value3": 3}}

    response = execute(
        client_of(alice), "Add", {"inputs": {"value1": private, "value2": add(True, 1)}}
    )

    assert response.status_code == 400
    assert response.json()["problems"] == [
        "Input 'value1' (nested process 'MulAdd'): there is no such process.",
        "Input 'value2' (nested process 'Add'): Input 'value1': True is not of type 'number'.",
    ]
    assert not Job.objects.exists()


def test_access_rules_apply_to_nested_processes(alice: User) -> None:
    # given users may only execute Mul
    AccessRule.objects.filter(role="User").update(resource_pattern="Mul")

    response = execute(client_of(alice), "Mul", {"inputs": {"value1": 1, "value2": add(1, 2)}})

    assert response.status_code == 400
    assert response.json()["problems"] == [
        "Input 'value2' (nested process 'Add'): No rule lets you execute process 'Add'."
    ]


def test_references_of_nested_processes_are_checked(alice: User) -> None:
    nested = add({"href": "http://127.0.0.1:9/private.json"}, 1)

    response = execute(client_of(alice), "Mul", {"inputs": {"value1": 1, "value2": nested}})

    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_disabled_provider_offers_no_process(alice: User) -> None:
    RemoteProvider.objects.create(name="peer", url="http://127.0.0.1:9/", enabled=False)
    nested = {"process": "http://127.0.0.1:9/processes/Add", "inputs": {}}

    response = execute(client_of(alice), "Mul", {"inputs": {"value1": 1, "value2": nested}})

    assert response.status_code == 400
    assert "http://127.0.0.1:9/processes/Add is not a process" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "identifier"),
    [
        ("http://peer.example/ogc/processes/hello-world", "hello-world"),
        ("HTTP://PEER.example/ogc/processes/hello%20world", "hello world"),
        ("http://peer.example/ogc/processes/a/b", None),
        ("http://peer.example/ogc/jobs/x", None),
        ("http://peer.example/ogc/../processes/x", None),
        ("http://peer.example/other/processes/x", None),
        ("http://peer.example.evil/ogc/processes/x", None),
        ("http://user:secret@peer.example/ogc/processes/x", None),
        ("http://peer.example/ogc/processes/x?next=http://evil", None),
    ],
)
def test_only_processes_under_a_provider_are_remote_processes(
    url: str, identifier: str | None
) -> None:
    RemoteProvider.objects.create(name="peer", url="http://peer.example/ogc")

    remote = remote_process_of(url)

    assert (remote.identifier if remote else None) == identifier


def test_the_part_3_conformance_classes_are_declared(alice: User) -> None:
    conformance = client_of(alice).get("/ogcapi/conformance").json()["conformsTo"]

    assert {
        PART_3 + "nested-processes",
        PART_3 + "remote-core-processes",
        PART_3 + "deployable-workflows",
    } <= set(conformance)


def test_administrators_manage_remote_providers_without_seeing_secrets(
    administrator: User,
) -> None:
    client = session_client_of(administrator)
    form = {"name": "peer", "url": "https://peer.example/ogc", "enabled": "on", "username": ""}

    # when a provider is added with a token, then edited leaving the token blank
    client.post("/admin/processes/remoteprovider/add/", {**form, "token": "secret-token"})
    provider = RemoteProvider.objects.get(name="peer")
    page = client.get(f"/admin/processes/remoteprovider/{provider.pk}/change/")
    client.post(
        f"/admin/processes/remoteprovider/{provider.pk}/change/",
        {**form, "url": "https://peer.example/ogcapi", "token": ""},
    )

    # then the token is kept and never shown back
    provider.refresh_from_db()
    assert (provider.url, provider.token) == ("https://peer.example/ogcapi", "secret-token")
    assert page.status_code == 200
    assert b"secret-token" not in page.content


def test_what_a_nested_steps_runner_logs_reaches_the_jobs_run_log(
    tmp_path: Path, alice: User
) -> None:
    # given a nested step's reporter under a job's reporter (here, one that records)
    reports: list[tuple[int, str]] = []
    outer = NestedProgress(lambda percent, message="": reports.append((percent, message)), "a")
    step = NestedProgress(outer, "b")
    context = RunContext(job_id="j", owner=alice, workdir=tmp_path, progress=step)

    # when the step's runner writes to its run log (a container's or a CWL tool's output)
    run_log_writer(context)("tool says hello")

    # then the line reaches the job's reporter, prefixed with the steps, the job's percent held
    assert reports == [(HELD_PERCENT, "[a] [b] tool says hello")]


class JobLikeReporter:
    """A job's reporter as runners see it: reports, run-log lines, and a stop check."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, str]] = []
        self.lines: list[str] = []
        self.stopped = False

    def __call__(self, percent: int, message: str = "") -> None:
        self.reports.append((percent, message))

    def log(self, line: str) -> None:
        self.lines.append(line)

    def raise_if_stopped(self) -> None:
        if self.stopped:
            raise JobDismissedError("j")


def test_a_nested_steps_output_lines_are_run_log_lines_not_reports() -> None:
    # given a nested step under a job's reporter that keeps a run log
    job = JobLikeReporter()
    step = NestedProgress(NestedProgress(job, "a"), "b")

    # when the step's container writes a line, and the step reports
    step.log("tile 1 done")
    step(50, "half")

    # then the line is in the run log, and only the report moved the job
    assert job.lines == ["[a] [b] tile 1 done"]
    assert job.reports == [(HELD_PERCENT, "[a] [b] 50% half")]


def test_a_nested_step_is_told_its_job_was_stopped_without_reporting() -> None:
    # given a nested step under a job's reporter
    job = JobLikeReporter()
    step = NestedProgress(NestedProgress(job, "a"), "b")
    step.raise_if_stopped()

    # when the job is dismissed
    job.stopped = True

    # then the step's check raises, and nothing was written
    with pytest.raises(JobDismissedError):
        step.raise_if_stopped()
    assert (job.reports, job.lines) == ([], [])
