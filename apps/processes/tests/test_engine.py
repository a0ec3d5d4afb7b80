"""`docker` units run with a local container engine CLI: whole jobs through the real job life
cycle, with a fake engine (a Python script) standing in for docker or podman."""

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import dismissal, job_dismiss, job_workdir
from apps.processes.models import Process
from apps.processes.runners.container import RunnerStopError, StateReporter, output_media_type
from apps.processes.runners.engine import engine_container_stop
from apps.processes.tests.docker_packages import (
    NDVI_DESCRIPTION,
    NDVI_UNIT,
    docker_process_create,
    job_accept,
    job_run_now,
    job_run_on_thread,
    log_lines,
    stop_checks_counted,
)
from apps.workspaces.media import media_type_of
from tests.fixtures import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

RASTER = b"II*\x00ndvi"
CONTAINER_MODULE = "apps.processes.runners.container"

# The fake engine records each call, and plays `run` by the image: `eoc/ndvi:latest` writes
# the raster into TEP_OUTPUT_DIR, `tep/fail:1` fails, `tep/hang:1` runs until `rm -f`.
FAKE_ENGINE = """\
#!{python}
import json, os, signal, sys, time
from pathlib import Path

STATE = Path({state!r})
with (STATE / "calls.jsonl").open("a") as calls:
    calls.write(json.dumps(sys.argv[1:]) + "\\n")

VALUED = {{"--name", "--label", "--cpus", "--memory", "-v", "-e", "--entrypoint"}}


def parse(words):
    options, index = {{}}, 0
    while index < len(words) and words[index].startswith("-"):
        if words[index] in VALUED:
            options.setdefault(words[index], []).append(words[index + 1])
            index += 2
        else:
            index += 1
    return options, words[index], words[index + 1:]


def run(words):
    options, image, arguments = parse(words)
    env = dict(item.split("=", 1) for item in options.get("-e", []))
    pid_file = STATE / (options["--name"][0] + ".pid")
    source = next(word for word in arguments if word.startswith("sourceImage="))
    print("reading", source, flush=True)
    if image == "eoc/ndvi:latest":
        (Path(env["TEP_OUTPUT_DIR"]) / "raster.tif").write_bytes({raster!r})
        print("writing NDVI", flush=True)
        return 0
    if image == "tep/fail:1":
        print("band 13 is missing", file=sys.stderr, flush=True)
        return 3
    pid_file.write_text(str(os.getpid()))
    time.sleep(60)
    return 0


def remove(name):
    pid_file = STATE / (name + ".pid")
    if not pid_file.exists():
        print("Error: No such container: " + name, file=sys.stderr)
        return 1
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    pid_file.unlink()
    return 0


if sys.argv[1] == "run":
    sys.exit(run(sys.argv[2:]))
if sys.argv[1:3] == ["rm", "-f"]:
    sys.exit(remove(sys.argv[3]))
sys.exit(125)
"""


@pytest.fixture
def engine_state(settings: Settings, tmp_path: Path, storage_root: Path) -> Path:
    """The fake engine's folder (its calls and running containers), set as CONTAINER_ENGINE."""
    state = tmp_path / "engine"
    state.mkdir()
    script = state / "fake-engine"
    script.write_text(FAKE_ENGINE.format(python=sys.executable, state=str(state), raster=RASTER))
    script.chmod(0o755)
    settings.CONTAINER_RUNNER = "engine"
    settings.CONTAINER_ENGINE = str(script)
    settings.CONTAINER_ENGINE_POLL_SECONDS = 0.05
    return state


def _calls(state: Path) -> list[list[str]]:
    calls = (state / "calls.jsonl").read_text().splitlines()
    return [json.loads(line) for line in calls]


@pytest.fixture
def ndvi_with_image(dana: User) -> Callable[..., Process]:
    def make(image: str, **config: Any) -> Process:
        unit = {**NDVI_UNIT, "image": image, "config": {**NDVI_UNIT["config"], **config}}
        description = {**NDVI_DESCRIPTION, "jobTimeout": unit["config"]["jobTimeout"]}
        return docker_process_create(dana, description, unit)

    return make


def _accept(user: User, process: Process, scene: Path) -> Job:
    body = {"inputs": {"source": {"href": f"holdings/s2/{scene.name}"}, "red_source_band": 4}}
    return job_accept(user, process, body)


def test_ndvi_job_runs_in_a_container_and_keeps_its_raster(
    engine_state: Path,
    ndvi_with_image: Callable[..., Process],
    scene: Path,
    alice: User,
    settings: Settings,
) -> None:
    # given the NDVI package and its staged scene
    job = _accept(alice, ndvi_with_image("eoc/ndvi:latest"), scene)
    name = f"tep-job-{job.pk}"

    # when the worker runs it
    job = job_run_now(job)

    # then the job succeeded with the raster, the container's output in its run log
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    (output,) = job.outputs.all()
    assert (output.output_id, output.storage_path, output.media_type) == (
        "raster",
        f"{job.storage_prefix}outputs/raster.tif",
        "image/tiff; application=geotiff",
    )
    lines = log_lines(job)
    assert f"reading sourceImage={scene}" in lines
    assert "writing NDVI" in lines
    # and the engine was told to clear a leftover, then to run the unit, confined and limited
    remove, run = _calls(engine_state)
    assert remove == ["rm", "-f", name]
    workdir = job_workdir(job)
    assert run[: run.index("-e")] == [
        "run",
        "--rm",
        "--name",
        name,
        "--label",
        "app.kubernetes.io/managed-by=tep-marketplace",
        "--label",
        f"tep.job-id={job.pk}",
        "--label",
        "tep.process-id=NdviCalculation",
        "--cpus",
        "4",
        "--memory",
        "3g",
        "-v",
        f"{workdir}:{workdir}",
        "-v",
        f"{scene}:{scene}:ro",
    ]
    environment = run[run.index("-e") : run.index("eoc/ndvi:latest")]
    assert environment[0::2] == ["-e"] * 3
    variables = dict(variable.split("=", 1) for variable in environment[1::2])
    assert set(variables) == {"TEP_JOB_ID", "TEP_OUTPUT_DIR", "TEP_INPUTS"}
    assert variables["TEP_JOB_ID"] == str(job.pk)
    assert variables["TEP_OUTPUT_DIR"] == str(workdir / "outputs")
    assert json.loads(variables["TEP_INPUTS"]) == {
        "source": str(scene),
        "red_source_band": 4,
        "red_factor": 1.0,
        "nir_factor": 1.0,
    }
    assert sorted(run[run.index("eoc/ndvi:latest") + 1 :]) == sorted(
        [f"sourceImage={scene}", "red_band=4", "red_factor=1.0", "nir_factor=1.0"]
    )


def test_unit_command_replaces_the_entrypoint(
    engine_state: Path, dana: User, scene: Path, alice: User
) -> None:
    unit = {**NDVI_UNIT, "command": ["/opt/snap/bin/gpt", "ndvi.xml"]}
    process = docker_process_create(dana, NDVI_DESCRIPTION, unit)
    job = _accept(alice, process, scene)

    job = job_run_now(job)

    _remove, run = _calls(engine_state)
    image = run.index("eoc/ndvi:latest")
    assert run[image - 2 : image + 2] == [
        "--entrypoint",
        "/opt/snap/bin/gpt",
        "eoc/ndvi:latest",
        "ndvi.xml",
    ]
    assert job.status == JobStatus.SUCCESSFUL, job.exception


def test_failing_container_fails_the_job_with_its_exit_code_and_last_words(
    engine_state: Path, ndvi_with_image: Callable[..., Process], scene: Path, alice: User
) -> None:
    job = _accept(alice, ndvi_with_image("tep/fail:1"), scene)

    job = job_run_now(job)

    assert job.status == JobStatus.FAILED
    assert job.exception is not None
    assert job.exception["detail"] == (
        f"The container exited with code 3: reading sourceImage={scene} / band 13 is missing"
    )
    assert not job.outputs.exists()


def test_container_past_its_deadline_is_removed_and_fails_the_job(
    engine_state: Path, ndvi_with_image: Callable[..., Process], scene: Path, alice: User
) -> None:
    # given a container that runs longer than its one-second timeout
    job = _accept(alice, ndvi_with_image("tep/hang:1", jobTimeout=1), scene)

    # when the worker runs it
    job = job_run_now(job)

    # then the container was removed and the job failed for its deadline
    assert job.status == JobStatus.FAILED
    assert job.exception is not None
    assert job.exception["detail"] == "The job exceeded its deadline of 1 s."
    assert _calls(engine_state)[-1] == ["rm", "-f", f"tep-job-{job.pk}"]
    assert not (engine_state / f"tep-job-{job.pk}.pid").exists()


def test_dismissing_a_running_job_stops_its_container(
    engine_state: Path, ndvi_with_image: Callable[..., Process], scene: Path, alice: User
) -> None:
    # given a job whose container runs until removed, run by a worker thread
    job = _accept(alice, ndvi_with_image("tep/hang:1"), scene)
    pid_file = engine_state / f"tep-job-{job.pk}.pid"

    worker = job_run_on_thread(job)
    wait_for(pid_file.exists)

    # when the user dismisses it
    job_dismiss(job=Job.objects.get(pk=job.pk))

    # then the container was removed, the worker stopped, and the job stays dismissed
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert not pid_file.exists()
    assert ["rm", "-f", f"tep-job-{job.pk}"] in _calls(engine_state)[2:]
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED
    assert "stopped: the job was dismissed" in log_lines(job)


def test_a_long_running_container_says_running_once_and_a_dismissal_still_stops_it(
    engine_state: Path,
    ndvi_with_image: Callable[..., Process],
    scene: Path,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a job whose container runs until removed, looked after every tenth of a second
    monkeypatch.setattr(f"{CONTAINER_MODULE}.STOP_CHECK_SECONDS", 0.1)
    monkeypatch.setattr(f"{CONTAINER_MODULE}.REPORT_EVERY_SECONDS", 0.1)
    stop_checks = stop_checks_counted(monkeypatch)
    job = _accept(alice, ndvi_with_image("tep/hang:1"), scene)
    pid_file = engine_state / f"tep-job-{job.pk}.pid"
    worker = job_run_on_thread(job)
    wait_for(pid_file.exists)

    # when it has run for many of those intervals, then is dismissed by a web process that
    # cannot reach the engine
    wait_for(lambda: len(stop_checks) >= 5)
    monkeypatch.setattr(dismissal, "runner_stop", _engine_unreachable)
    job_dismiss(job=Job.objects.get(pk=job.pk))

    # then the worker noticed and removed the container itself
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert not pid_file.exists()
    # and the run log says once that the container runs
    lines = log_lines(job)
    assert lines.count(f" 10% container tep-job-{job.pk}: running") == 1
    assert "stopped: the job was dismissed" in lines


def _engine_unreachable(process: Process, job_id: str) -> None:
    raise RunnerStopError(f"docker could not remove the container tep-job-{job_id}")


def test_a_reporter_that_cannot_check_for_a_stop_is_sent_the_unchanged_state_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a reporter that notices a dismissal only when it is reported to (a nested step's)
    monkeypatch.setattr(f"{CONTAINER_MODULE}.REPORT_EVERY_SECONDS", 0.0)
    reports: list[tuple[int, str]] = []
    report = StateReporter(lambda percent, message="": reports.append((percent, message)))

    # when the container's state stays the same
    report(10, "running")
    report(10, "running")

    # then it is reported again, as often as REPORT_EVERY_SECONDS allows
    assert reports == [(10, "running"), (10, "running")]


def test_stopping_a_container_that_is_not_there_is_fine(engine_state: Path) -> None:
    engine_container_stop("0e9e4ad4-0000-4000-8000-000000000000")

    assert _calls(engine_state) == [["rm", "-f", "tep-job-0e9e4ad4-0000-4000-8000-000000000000"]]


def test_an_engine_that_cannot_be_run_cannot_stop_containers(
    settings: Settings, tmp_path: Path
) -> None:
    settings.CONTAINER_ENGINE = str(tmp_path / "no-such-engine")

    with pytest.raises(RunnerStopError, match="could not remove the container tep-job-x"):
        engine_container_stop("x")


def test_an_output_file_takes_its_declared_media_type_else_the_storages() -> None:
    undeclared: dict[str, Any] = {"schema": {"type": "string"}}
    two = {
        "schema": {
            "oneOf": [
                {"type": "string", "contentMediaType": "application/geo+json"},
                {"type": "string", "contentMediaType": "image/tiff; application=geotiff"},
            ]
        }
    }

    assert output_media_type(undeclared, Path("ndvi.tif")) == media_type_of("ndvi.tif")
    assert output_media_type(undeclared, Path("notes.unknownsuffix")) == "application/octet-stream"
    assert output_media_type(two, Path("ndvi.tif")) == "image/tiff; application=geotiff"
    assert output_media_type(two, Path("fields.geojson")) == "application/geo+json"
