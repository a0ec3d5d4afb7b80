"""The parallel execution analyzer: how requests split, and split jobs run by real workers."""

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from kombu import Queue

from apps.accounts.models import User
from apps.jobs.api.ogc import results_document
from apps.jobs.models import Job, JobBatch, JobBatchStatus, JobLogLine, JobStatus
from apps.jobs.reporting import JobDismissedError
from apps.jobs.services import job_dismiss, job_output_rows, job_run
from apps.processes import parallel, registry
from apps.processes.parallel import Batch, parallel_plan
from apps.processes.parallel.batches import BatchReporter, _batch_claim
from apps.processes.registry import Input, Output, builtin_process
from apps.processes.runners.base import OutputFile
from marketplace.celery import app as celery_app
from tests.fixtures import start_worker, stop_worker, wait_for, wait_until_idle
from tests.ogc import submit_builtin_job

UNCORRELATED = {
    "role": "processingDirectives",
    "parameters": [{"name": "correlatedInputs", "values": [False]}],
}


def _directive(correlated_inputs: Any) -> dict[str, Any]:
    return {
        "role": "processingDirectives",
        "parameters": [{"name": "correlatedInputs", "values": [correlated_inputs]}],
    }


def _bare_directive(role: str, correlated_inputs: Any) -> dict[str, Any]:
    """The directive with its value not in a list, under `value`."""
    return {"role": role, "parameters": [{"name": "correlatedInputs", "value": correlated_inputs}]}


def _description(**scenes: Any) -> dict[str, Any]:
    """A process with a multi-valued `scenes` input described by `scenes`, and a `level`."""
    return {
        "inputs": {
            "level": {"schema": {"type": "integer"}, "maxOccurs": 1},
            "scenes": {"schema": {"type": "string"}, "maxOccurs": "unbounded", **scenes},
        }
    }


def _scenes(count: int) -> list[str]:
    return [f"s{number}.tif" for number in range(1, count + 1)]


# --- Plans --------------------------------------------------------------------------------


def test_eight_values_and_two_batches_split_four_and_four(settings) -> None:
    # given
    settings.PARALLEL_MAX_BATCHES = 2
    inputs = {"level": 2, "scenes": _scenes(8)}

    # when
    plan = parallel_plan(_description(additionalParameters=[UNCORRELATED]), inputs)

    # then
    assert plan is not None
    assert plan.input_id == "scenes"
    assert plan.batches == (
        Batch(number=1, first=0, values=_scenes(8)[:4]),
        Batch(number=2, first=4, values=_scenes(8)[4:]),
    )
    assert plan.batch_inputs(inputs, plan.batches[1]) == {"level": 2, "scenes": _scenes(8)[4:]}


def test_fewer_values_than_batches_gives_one_batch_per_value(settings) -> None:
    settings.PARALLEL_MAX_BATCHES = 8

    plan = parallel_plan(_description(additionalParameters=[UNCORRELATED]), {"scenes": _scenes(3)})

    assert plan is not None
    assert [batch.values for batch in plan.batches] == [["s1.tif"], ["s2.tif"], ["s3.tif"]]


def test_uneven_batches_put_the_larger_ones_first(settings) -> None:
    settings.PARALLEL_MAX_BATCHES = 4

    plan = parallel_plan(_description(additionalParameters=UNCORRELATED), {"scenes": _scenes(10)})

    assert plan is not None
    assert [(batch.first, len(batch.values)) for batch in plan.batches] == [
        (0, 3),
        (3, 3),
        (6, 2),
        (8, 2),
    ]


@pytest.mark.parametrize(
    "additional_parameters",
    [
        [UNCORRELATED],
        UNCORRELATED,
        [_bare_directive("processingDirectives", False)],
        [_directive("false")],
        [_bare_directive("processingDirective", "False")],
        [
            {"role": "inputBinding", "parameters": [{"name": "position", "values": ["1"]}]},
            UNCORRELATED,
            {"role": "clientHints", "parameters": [{"name": "htmlInputType", "value": ["file"]}]},
        ],
        {
            "title": "Additional parameters by role",
            "parameters": [{"name": "processingDirectives", "value": UNCORRELATED["parameters"]}],
        },
    ],
    ids=["list", "one-group", "bare-value", "string", "singular-role", "among-roles", "by-role"],
)
def test_every_written_form_of_the_directive_splits(additional_parameters: Any) -> None:
    description = _description(additionalParameters=additional_parameters)

    assert parallel_plan(description, {"scenes": _scenes(2)}) is not None


@pytest.mark.parametrize(
    ("scenes_description", "scenes"),
    [
        ({}, _scenes(4)),
        ({"additionalParameters": [_directive(True)]}, _scenes(4)),
        ({"additionalParameters": [_directive("maybe")]}, _scenes(4)),
        ({"additionalParameters": [UNCORRELATED], "maxOccurs": 1}, _scenes(4)),
        ({"additionalParameters": [UNCORRELATED]}, _scenes(1)),
    ],
    ids=["no-directive", "correlated", "not-a-boolean", "max-occurs-1", "one-value"],
)
def test_no_plan_without_several_uncorrelated_values(
    scenes_description: dict[str, Any], scenes: list[str]
) -> None:
    description = _description(**scenes_description)

    assert parallel_plan(description, {"level": 1, "scenes": scenes}) is None


def test_a_single_batch_allowed_means_no_plan(settings) -> None:
    settings.PARALLEL_MAX_BATCHES = 1

    plan = parallel_plan(_description(additionalParameters=[UNCORRELATED]), {"scenes": _scenes(4)})

    assert plan is None


def test_the_process_directive_applies_unless_the_input_says_otherwise() -> None:
    for_the_process = {**_description(), "additionalParameters": [UNCORRELATED]}
    overruled = {
        **_description(additionalParameters=[_directive(True)]),
        "additionalParameters": [UNCORRELATED],
    }

    assert parallel_plan(for_the_process, {"scenes": _scenes(2)}) is not None
    assert parallel_plan(overruled, {"scenes": _scenes(2)}) is None


def test_the_uncorrelated_input_with_most_values_is_split_the_first_by_id_on_a_tie() -> None:
    description = _description(additionalParameters=[UNCORRELATED])
    description["inputs"]["dates"] = {"maxOccurs": 10, "additionalParameters": [UNCORRELATED]}

    plan = parallel_plan(description, {"scenes": _scenes(2), "dates": ["2025", "2026"]})

    assert plan is not None
    assert plan.input_id == "dates"


def test_the_uncorrelated_input_with_most_values_is_split() -> None:
    description = _description(additionalParameters=[UNCORRELATED])
    description["inputs"]["dates"] = {"maxOccurs": 10, "additionalParameters": [UNCORRELATED]}

    plan = parallel_plan(description, {"scenes": _scenes(2), "dates": ["2024", "2025", "2026"]})

    assert plan is not None
    assert (plan.input_id, [batch.values for batch in plan.batches]) == (
        "dates",
        [["2024"], ["2025"], ["2026"]],
    )


# --- Batch rows and gathering -------------------------------------------------------------


def test_values_survive_the_batch_row_and_user_json_never_becomes_a_path() -> None:
    output = OutputFile(Path(django_settings.STORAGE_ROOT) / "x" / "out.tif", "image/tiff")
    values = {
        "scenes": [Path("/staged/a.tif"), {"href": "https://example.org/b.tif"}],
        "options": {"path": "/etc/passwd", "file": "../secret", "items": [1]},
        "raster": output,
        "count": 3,
    }

    stored = {key: parallel.encoded(value) for key, value in values.items()}
    assert stored["raster"] == {"file": "x/out.tif", "mediaType": "image/tiff"}
    assert {key: parallel.decoded(value) for key, value in stored.items()} == values


def test_lists_are_concatenated_and_other_outputs_listed_in_batch_order() -> None:
    batch_results = [
        {"squares": [1, 4], "count": 2, "raster": OutputFile(Path("a.tif"), "image/tiff")},
        {"squares": [9], "count": 1, "raster": OutputFile(Path("b.tif"), "image/tiff")},
    ]

    assert parallel.gathered(batch_results) == {
        "squares": [1, 4, 9],
        "count": [2, 1],
        "raster": [
            OutputFile(Path("a.tif"), "image/tiff"),
            OutputFile(Path("b.tif"), "image/tiff"),
        ],
    }


def test_the_batch_label_names_its_values() -> None:
    files = Batch(number=2, first=2, values=[Path("/s/a.tif"), {"href": "https://x.org/b.tif"}])

    assert parallel.batch_label(files) == "batch 2 (values 3\N{EN DASH}4: a.tif, b.tif)"
    assert parallel.batch_label(Batch(number=1, first=0, values=[-3])) == "batch 1 (value 1: -3)"
    assert parallel.batch_label(Batch(number=1, first=0, values=list(range(7)))) == (
        "batch 1 (values 1\N{EN DASH}7: 0, 1, 2, 3, 4, …)"
    )


def test_gathered_files_are_outputs_id_1_id_2_and_requested_by_their_id(
    tmp_path: Path, settings
) -> None:
    # given two files gathered for one output of a job
    settings.STORAGE_ROOT = tmp_path
    files = []
    for name in ("a.tif", "b.tif"):
        (tmp_path / name).write_bytes(b"tiff")
        files.append(OutputFile(tmp_path / name, "image/tiff"))
    job = Job(process_identifier="p", process_version="1")

    # when they become output rows and a results document for the requested output
    rows = job_output_rows(job, {"raster": files, "count": [1, 1]})
    document = results_document(
        RequestFactory().get("/"), job, rows, {"raster": {"transmissionMode": "reference"}}
    )

    # then each file is its own output, in order, and requesting `raster` gives both
    assert [(row.output_id, row.position, row.storage_path) for row in rows] == [
        ("raster.1", 0, "a.tif"),
        ("raster.2", 1, "b.tif"),
        ("count", 2, ""),
    ]
    assert list(document) == ["raster.1", "raster.2"]
    assert document["raster.2"]["href"].endswith(f"/jobs/{job.pk}/results/raster.2")


# --- Claims -------------------------------------------------------------------------------


def _running_job_with_batch(user: User, **batch_fields: Any) -> JobBatch:
    job = Job.objects.create(
        owner=user,
        process_identifier="slow-square",
        process_version="1.0.0",
        status=JobStatus.RUNNING,
    )
    return JobBatch.objects.create(
        job=job, number=1, input_id="values", first_value=0, inputs={}, **batch_fields
    )


@pytest.mark.django_db
def test_a_batch_is_claimed_once(alice: User) -> None:
    batch = _running_job_with_batch(alice)

    assert _batch_claim(batch.pk) is True
    assert _batch_claim(batch.pk) is False
    batch.refresh_from_db()
    assert (batch.status, batch.worker) == (
        JobBatchStatus.RUNNING,
        f"{socket.gethostname()}:{os.getpid()}",
    )


@pytest.mark.django_db
def test_a_batchs_container_is_told_of_a_dismissal_without_writing(alice: User) -> None:
    # given a batch this process runs
    batch = _running_job_with_batch(alice)
    assert _batch_claim(batch.pk)
    reporter = BatchReporter(JobBatch.objects.get(pk=batch.pk))
    reporter.raise_if_stopped()

    # when its job is dismissed
    Job.objects.filter(pk=batch.job_id).update(status=JobStatus.DISMISSED)

    # then the check raises as a report would, and wrote nothing
    with pytest.raises(JobDismissedError):
        reporter.raise_if_stopped()
    assert not JobLogLine.objects.filter(job_id=batch.job_id).exists()


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_the_same_moment_take_a_batch_once(alice: User) -> None:
    # given two processes that claim the same batch, each in a transaction of its own
    batch = _running_job_with_batch(alice)
    ready = threading.Barrier(2)
    outcomes: list[bool] = []

    def claim() -> None:
        try:
            with transaction.atomic():
                ready.wait(timeout=10)
                outcomes.append(_batch_claim(batch.pk))
                time.sleep(0.2)  # hold the row while the other claim waits for it
        finally:
            connection.close()

    # when both claim at once
    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    # then only one of them has it
    assert sorted(outcomes) == [False, True]


@pytest.mark.django_db
def test_only_a_batch_whose_worker_went_silent_is_taken_over(alice: User, settings) -> None:
    settings.JOB_LOST_AFTER_SECONDS = 60
    now = timezone.now()
    silent = _running_job_with_batch(
        alice, status=JobBatchStatus.RUNNING, worker="gone:1", heartbeat=now - timedelta(seconds=61)
    )
    beating = _running_job_with_batch(
        alice, status=JobBatchStatus.RUNNING, worker="busy:1", heartbeat=now - timedelta(seconds=5)
    )

    assert _batch_claim(silent.pk, take_over_lost=True) is True
    assert _batch_claim(beating.pk, take_over_lost=True) is False


@pytest.mark.django_db
def test_no_batch_of_a_job_that_is_not_running_is_claimed(alice: User) -> None:
    batch = _running_job_with_batch(alice)
    Job.objects.filter(pk=batch.job_id).update(status=JobStatus.DISMISSED)

    assert _batch_claim(batch.pk) is False


# --- Split jobs run by real workers -------------------------------------------------------

SECOND_WORKER = "parallel"
UNCONSUMED_QUEUE = "jobs-parallel-unconsumed"


def _node(name: str) -> str:
    return f"{name}-{os.getpid()}@{socket.gethostname()}"


def _pool_pids(node: str) -> set[int]:
    stats = celery_app.control.inspect(destination=[node], timeout=2).stats() or {}
    return set(stats[node]["pool"]["processes"])


@pytest.fixture(scope="module")
def second_worker(django_db_setup: None) -> Iterator[subprocess.Popen[bytes]]:
    worker = start_worker(name=SECOND_WORKER)
    yield worker
    stop_worker(worker)


@pytest.fixture
def two_workers(
    celery_worker_process: subprocess.Popen[bytes], second_worker: subprocess.Popen[bytes]
) -> Iterator[None]:
    """The suite's worker and a second one; afterwards no job runs and both are idle."""
    yield
    for job in Job.objects.filter(status__in=[JobStatus.ACCEPTED, JobStatus.RUNNING]):
        job_dismiss(job=job)
    wait_until_idle(_node(SECOND_WORKER))


def _slow_square(user: User, values: list[int], seconds_per_value: float) -> Job:
    body = {"inputs": {"values": values, "seconds_per_value": seconds_per_value}}
    return submit_builtin_job(user, "slow-square", body)


def _finished(job: Job) -> bool:
    job.refresh_from_db()
    return job.is_finished


def _progress_until_finished(job: Job) -> set[int]:
    """Every progress the job showed while it ran."""
    seen = set()

    def finished() -> bool:
        job.refresh_from_db()
        seen.add(job.progress)
        return job.is_finished

    wait_for(finished, every=0.05)
    return seen


def _log(job: Job) -> list[str]:
    return list(job.log_lines.values_list("line", flat=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("two_workers")
def test_eight_values_run_as_one_job_shared_by_two_workers(alice: User) -> None:
    # given eight values, one second each, and two workers of two processes each
    values = [3, 1, 4, 1, 5, 9, 2, 6]

    # when they are squared
    job = _slow_square(alice, values, seconds_per_value=1)
    seen_progress = _progress_until_finished(job)

    # then one job gives the squares in input order
    assert job.status == JobStatus.SUCCESSFUL
    assert Job.objects.count() == 1
    (output,) = job.outputs.all()
    assert (output.output_id, output.value) == ("squares", [9, 1, 16, 1, 25, 81, 4, 36])
    # and its eight one-value batches ran in processes of both workers
    batches = list(job.batches.order_by("number"))
    assert [(batch.number, batch.status, batch.progress) for batch in batches] == [
        (number, JobBatchStatus.SUCCESSFUL, 100) for number in range(1, 9)
    ]
    pids = {int(batch.worker.rpartition(":")[2]) for batch in batches}
    assert pids & _pool_pids(_node(SECOND_WORKER))
    assert pids - _pool_pids(_node(SECOND_WORKER))
    # and the job's progress was the batches' mean, on its way and at the end
    assert any(0 < progress < 100 for progress in seen_progress)
    assert "100% 8 of 8 batches done" in _log(job)
    # and each batch's messages went to the job's run log, prefixed with its number
    assert "batch 3:   0% squaring 4" in _log(job)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("two_workers")
def test_a_failing_batch_fails_the_job_naming_its_values(alice: User) -> None:
    # given sixteen values (eight batches of two), the sixth negative
    values = [1, 2, 3, 4, 5, -6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]

    # when they are squared
    job = _slow_square(alice, values, seconds_per_value=0.2)
    wait_for(lambda: _finished(job))

    # then the job failed, saying which batch and values
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "batch 3 (values 5\N{EN DASH}6: 5, -6) failed: "
        "ValueError: -6 is negative: slow-square fails on negative numbers."
    )
    assert job.exception is not None
    assert job.exception["detail"] == job.message
    assert not job.outputs.exists()
    failed = job.batches.get(number=3)
    assert (failed.status, failed.error) == (
        JobBatchStatus.FAILED,
        "ValueError: -6 is negative: slow-square fails on negative numbers.",
    )
    assert not job.batches.filter(status__in=[JobBatchStatus.PENDING, JobBatchStatus.RUNNING])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("two_workers")
def test_dismissing_a_split_job_stops_all_its_batches(alice: User) -> None:
    # given a split job whose batches run on both workers
    job = _slow_square(alice, [1, 2, 3, 4, 5, 6, 7, 8], seconds_per_value=3)
    wait_for(lambda: job.batches.filter(status=JobBatchStatus.RUNNING).count() >= 3)

    # when it is dismissed
    job_dismiss(job=job)

    # then every unfinished batch is stopped at once, and those on other workers stop running
    statuses = set(job.batches.values_list("status", flat=True))
    assert statuses <= {JobBatchStatus.STOPPED, JobBatchStatus.SUCCESSFUL}
    wait_for(lambda: any(line.endswith(": stopped") for line in _log(job)), timeout=10)
    wait_until_idle(_node(SECOND_WORKER), timeout=10)
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED
    assert set(job.batches.values_list("status", flat=True)) == statuses
    assert not job.outputs.exists()


@pytest.mark.django_db(transaction=True)
def test_with_no_other_worker_the_job_runs_every_batch_itself(alice: User, settings) -> None:
    # given jobs and batches go to a queue no worker reads: the job's process is the only one
    settings.JOBS_QUEUE = UNCONSUMED_QUEUE
    job = _slow_square(alice, [1, 2, 3, 4], seconds_per_value=0)

    try:
        # when the job runs here
        job_run(job_id=str(job.pk))
    finally:
        with celery_app.connection_for_write() as connection:
            Queue(UNCONSUMED_QUEUE)(connection.default_channel).purge()

    # then it ran all four batches, one after the other, without waiting for anyone
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESSFUL
    assert job.outputs.get().value == [1, 4, 9, 16]
    assert set(job.batches.values_list("worker", flat=True)) == {
        f"{socket.gethostname()}:{os.getpid()}"
    }


@pytest.mark.django_db(transaction=True)
def test_a_batch_result_json_cannot_hold_fails_the_batch_naming_the_output(
    alice: User, settings
) -> None:
    # given a split process whose batches answer a value JSON cannot hold
    @builtin_process(id="halves-test", outputs={"halves": Output(schema={"type": "array"})})
    def halves(
        values: Annotated[
            list[float],
            Input(max_occurs="unbounded", processing_directives={"correlatedInputs": False}),
        ],
    ) -> dict[str, list[float]]:
        """Halves, or NaN for zero."""
        return {"halves": [value / 2 if value else float("nan") for value in values]}

    settings.JOBS_QUEUE = UNCONSUMED_QUEUE
    try:
        job = submit_builtin_job(alice, "halves-test", {"inputs": {"values": [2, 0, 4, 6]}})

        # when the job runs its batches here
        job_run(job_id=str(job.pk))
    finally:
        registry._registry.pop("halves-test", None)
        with celery_app.connection_for_write() as connection:
            Queue(UNCONSUMED_QUEUE)(connection.default_channel).purge()

    # then the batch holding the zero failed, naming the output, and so did the job
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    failed = job.batches.get(status=JobBatchStatus.FAILED)
    assert failed.error.startswith("Output 'halves' is not a JSON value")
    assert failed.error in job.message
