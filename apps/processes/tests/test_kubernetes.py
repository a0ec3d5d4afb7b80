"""`docker` units run as Kubernetes Jobs: the manifest, and whole jobs through the real job
life cycle against a local stand-in for the Kubernetes API (tests/kubernetes_standin.py)."""

import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from kubernetes.client import (
    ApiClient,
    V1ContainerState,
    V1ContainerStateRunning,
    V1ContainerStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodStatus,
)
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import dismissal, job_dismiss, job_workdir
from apps.jobs.services.finishing import job_succeed
from apps.processes.models import Process
from apps.processes.nesting import nested_inputs_resolve
from apps.processes.runners.base import OutputFile, RunContext
from apps.processes.runners.container import RunnerStopError, container_spec
from apps.processes.runners.cwl.values import _cwl_value as cwl_value
from apps.processes.runners.engine import engine_run_command
from apps.processes.runners.kubernetes import RUNNER, job_manifest, kubernetes_job_delete
from apps.processes.runners.kubernetes_cluster import Cluster, PodLog, kubernetes_api_client
from apps.processes.tests.docker_packages import (
    DSI_DESCRIPTION,
    DSI_UNIT,
    NDVI_DESCRIPTION,
    NDVI_UNIT,
    docker_process_create,
    holdings_file,
    job_accept,
    job_run_now,
    job_run_on_thread,
    log_lines,
    stop_checks_counted,
)
from apps.workspaces.storage import S3Storage, platform_storage
from tests.fixtures import S3_CREDENTIALS, use_s3, wait_for
from tests.kubernetes_standin import (
    KubernetesStandin,
    SimulatedContainer,
    deadline,
    fail,
    hang,
    succeed,
)

TOKEN = "stand-in-token"
NAMESPACE = "tep-test"
RASTER = b"II*\x00ndvi"
CONTAINER_MODULE = "apps.processes.runners.container"
SCENE_HREF = "holdings/s2/S2A_MSIL2A_scene.tif"
STORE_TRANSFERS = ("put_file", "write", "read", "local_file")


@pytest.fixture
def standin(settings: Settings, storage_root: Path) -> Iterator[KubernetesStandin]:
    """The stand-in API server, and the settings that send the runner to it."""
    server = KubernetesStandin(TOKEN)
    with server.running():
        settings.CONTAINER_RUNNER = "kubernetes"
        settings.KUBERNETES_API_URL = server.url
        settings.KUBERNETES_API_TOKEN = TOKEN
        settings.KUBERNETES_VERIFY_SSL = False
        settings.KUBERNETES_NAMESPACE = NAMESPACE
        settings.KUBERNETES_POLL_SECONDS = 0.02
        settings.KUBERNETES_STAGING = "volume"
        settings.KUBERNETES_STORAGE_CLAIM = "tep-storage"
        settings.KUBERNETES_SERVICE_ACCOUNT = ""
        settings.KUBERNETES_IMAGE_PULL_SECRETS = []
        yield server


@pytest.fixture
def s3_staging(
    standin: KubernetesStandin, settings: Settings, moto_endpoint: str, moto_client: Any
) -> None:
    """Pods stage through a bucket of the local S3 server, the platform's storage."""
    use_s3(settings, moto_endpoint, moto_client)
    settings.KUBERNETES_STAGING = "s3"
    standin.secrets[settings.KUBERNETES_STORAGE_SECRET] = {
        "AWS_ACCESS_KEY_ID": S3_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": S3_CREDENTIALS["aws_secret_access_key"],
    }


@contextmanager
def store_transfers() -> Iterator[list[tuple[str, str]]]:
    """What the worker moves to or from the object store meanwhile, as (operation, key);
    the stand-in's pods use a client of their own."""
    transfers: list[tuple[str, str]] = []

    def counted(operation: str) -> Callable[..., Any]:
        method = getattr(S3Storage, operation)

        def transfer(storage: S3Storage, key: str, *arguments: Any, **options: Any) -> Any:
            transfers.append((operation, key))
            return method(storage, key, *arguments, **options)

        return transfer

    with pytest.MonkeyPatch.context() as patch:
        for operation in STORE_TRANSFERS:
            patch.setattr(S3Storage, operation, counted(operation))
        yield transfers


@pytest.fixture
def ndvi(dana: User) -> Process:
    return docker_process_create(dana, NDVI_DESCRIPTION, NDVI_UNIT)


@pytest.fixture
def ndvi_share(dana: User) -> Process:
    """NDVI with a literal output too, which its image gives in outputs.json."""
    description = {
        **NDVI_DESCRIPTION,
        "outputs": {
            **NDVI_DESCRIPTION["outputs"],
            "vegetatedShare": {"title": "Vegetated share", "schema": {"type": "number"}},
        },
    }
    return docker_process_create(dana, description, NDVI_UNIT, identifier="ndvi-share")


@pytest.fixture
def dsi(dana: User) -> Process:
    return docker_process_create(dana, DSI_DESCRIPTION, DSI_UNIT)


@pytest.fixture
def context(storage_root: Path, alice: User) -> RunContext:
    """The run of a new job of alice's, its folder made."""
    job_id = str(uuid.uuid4())
    workdir = storage_root / "users" / "alice" / "workspace" / "jobs" / job_id
    workdir.mkdir(parents=True)
    return RunContext(
        job_id=job_id,
        owner=alice,
        workdir=workdir,
        progress=lambda percent, message="": None,
    )


def _ndvi_job(user: User, process: Process, source: str = SCENE_HREF, **inputs: Any) -> Job:
    """An accepted job of an NDVI process on the scene at `source`."""
    return job_accept(user, process, {"inputs": {"source": {"href": source}, **inputs}})


def _manifest(process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
    """The manifest as JSON, as the client sends it."""
    document: dict[str, Any] = ApiClient().sanitize_for_serialization(
        job_manifest(process, inputs, context)
    )
    return document


def _unit(manifest: dict[str, Any]) -> dict[str, Any]:
    spec = manifest["spec"]["template"]["spec"]
    containers = spec.get("initContainers", []) + spec["containers"]
    return next(container for container in containers if container["name"] == "unit")


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {variable["name"]: variable["value"] for variable in container["env"]}


def _option_values(command: list[str], option: str) -> list[str]:
    """The value after each occurrence of `option` in an engine's command line."""
    return [command[index + 1] for index, word in enumerate(command) if word == option]


def _in_order(lines: list[str], expected: list[str]) -> bool:
    """`expected` appear in `lines`, in this order (others may come between)."""
    remaining = iter(lines)
    return all(any(line == wanted for line in remaining) for wanted in expected)


# --- The manifest ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_ndvi_manifest_runs_its_image_with_prefixed_arguments(
    ndvi: Process, scene: Path, context: RunContext
) -> None:
    # given the NDVI package's inputs, staged
    job_id = context.job_id
    inputs = {"source": scene, "red_source_band": 4, "nir_source_band": 8}

    # when its manifest is made
    manifest = _manifest(ndvi, inputs, context)

    # then it runs the image with the bound inputs as arguments, on the stated resources
    labels = {
        "app.kubernetes.io/managed-by": "tep-marketplace",
        "tep.job-id": job_id,
        "tep.process-id": "NdviCalculation",
    }
    assert manifest["apiVersion"] == "batch/v1"
    assert manifest["kind"] == "Job"
    assert manifest["metadata"] == {"name": f"tep-job-{job_id}", "labels": labels}
    assert manifest["spec"]["backoffLimit"] == 0
    assert manifest["spec"]["activeDeadlineSeconds"] == 600
    assert manifest["spec"]["ttlSecondsAfterFinished"] == 600
    assert manifest["spec"]["template"]["metadata"] == {"labels": labels}
    unit = _unit(manifest)
    assert unit["image"] == "eoc/ndvi:latest"
    assert "command" not in unit
    assert unit["args"] == [
        "nir_factor=1.0",
        "nir_band=8",
        "red_factor=1.0",
        "red_band=4",
        f"sourceImage={scene}",
    ]
    assert unit["resources"] == {
        "requests": {"cpu": "2", "memory": "1Gi", "ephemeral-storage": "1Gi"},
        "limits": {"cpu": "4", "memory": "3Gi"},
    }
    assert _env(unit) == {
        "TEP_JOB_ID": job_id,
        "TEP_OUTPUT_DIR": str(context.workdir / "outputs"),
        "TEP_INPUTS": json.dumps(
            {"source": str(scene), "red_source_band": 4, "nir_source_band": 8},
            separators=(",", ":"),
        ),
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_the_manifest_is_made_without_reading_the_database(
    ndvi: Process,
    scene: Path,
    context: RunContext,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(0):
        _manifest(ndvi, {"source": scene}, context)


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_pod_sees_only_the_job_folder_and_its_inputs_at_the_workers_paths(
    ndvi: Process, scene: Path, context: RunContext
) -> None:
    manifest = _manifest(ndvi, {"source": scene}, context)

    pod = manifest["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["volumes"] == [
        {"name": "storage", "persistentVolumeClaim": {"claimName": "tep-storage"}}
    ]
    assert _unit(manifest)["volumeMounts"] == [
        {
            "name": "storage",
            "mountPath": str(context.workdir),
            "subPath": f"users/alice/workspace/jobs/{context.job_id}",
        },
        {
            "name": "storage",
            "mountPath": str(scene),
            "subPath": "holdings/s2/S2A_MSIL2A_scene.tif",
            "readOnly": True,
        },
    ]
    assert pod["automountServiceAccountToken"] is False
    assert "serviceAccountName" not in pod
    assert "imagePullSecrets" not in pod


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_dsi_manifest_passes_its_products_in_a_parameter_file(
    dsi: Process, context: RunContext, settings: Settings
) -> None:
    # given two SAR products
    products = [
        holdings_file("sar/RS2_product.zip", b"rs2"),
        holdings_file("sar/S1A_product.zip", b"s1"),
    ]

    # when dsi's manifest is made
    manifest = _manifest(dsi, {"productRef": products}, context)

    # then the one argument, at position 1, is a file in the job folder listing the products
    parameter_file = context.workdir / "parameters" / "productRef.txt"
    unit = _unit(manifest)
    assert unit["image"] == "pvretano/dsi:latest"
    assert unit["args"] == [str(parameter_file)]
    assert parameter_file.read_text() == f"{products[0]}\n{products[1]}\n"
    # and only what the package asks for is requested
    assert unit["resources"] == {"requests": {"cpu": "4"}}
    assert manifest["spec"]["activeDeadlineSeconds"] == settings.JOB_DEFAULT_TIMEOUT_SECONDS


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_manifest_uses_the_service_account_and_pull_secrets_of_the_settings(
    ndvi: Process, scene: Path, context: RunContext, settings: Settings
) -> None:
    settings.KUBERNETES_SERVICE_ACCOUNT = "tep-runner"
    settings.KUBERNETES_IMAGE_PULL_SECRETS = ["registry-eoc", "registry-hub"]

    manifest = _manifest(ndvi, {"source": scene}, context)

    pod = manifest["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "tep-runner"
    assert pod["automountServiceAccountToken"] is True
    assert pod["imagePullSecrets"] == [{"name": "registry-eoc"}, {"name": "registry-hub"}]


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_s3_staging_copies_the_job_folder_and_stored_inputs_in_and_the_outputs_out(
    ndvi: Process, storage_root: Path, context: RunContext, settings: Settings
) -> None:
    # given staging through the object store, and a workspace file given at its path
    settings.KUBERNETES_STAGING = "s3"
    settings.STORAGE_S3_BUCKET = "tep-bucket"
    settings.STORAGE_S3_ENDPOINT_URL = "http://minio:9000"
    scene = storage_root / "users" / "alice" / "workspace" / "data" / "my scene.tif"

    # when the manifest is made
    manifest = _manifest(ndvi, {"source": scene}, context)

    # then stage-in, the unit and stage-out run in order on an emptyDir at STORAGE_ROOT
    pod = manifest["spec"]["template"]["spec"]
    assert [container["name"] for container in pod["initContainers"]] == ["stage-in", "unit"]
    assert [container["name"] for container in pod["containers"]] == ["stage-out"]
    assert pod["volumes"] == [{"name": "storage", "emptyDir": {}}]
    root_mount = [{"name": "storage", "mountPath": str(storage_root)}]
    stage_in, unit = pod["initContainers"]
    (stage_out,) = pod["containers"]
    assert unit["volumeMounts"] == root_mount
    assert unit["args"][-1] == f"sourceImage={scene}"
    # and stage-in copies the job folder, then the scene from its key to its path
    job_key = f"users/alice/workspace/jobs/{context.job_id}"
    assert _env(stage_in) == {
        "AWS_DEFAULT_REGION": settings.STORAGE_S3_REGION,
        "AWS_ENDPOINT_URL": "http://minio:9000",
        "SOURCE": f"s3://tep-bucket/{job_key}/",
        "TARGET": f"{context.workdir}/",
        "STORE": "s3://tep-bucket/",
        "ROOT": str(storage_root),
        "TEP_OUTPUT_DIR": str(context.workdir / "outputs"),
    }
    assert stage_in["args"] == ["users/alice/workspace/data/my scene.tif"]
    assert _env(stage_out)["TARGET"] == f"s3://tep-bucket/{job_key}/outputs/"
    assert "args" not in stage_out
    for step in (stage_in, stage_out):
        assert step["command"][:2] == ["sh", "-c"]
        assert step["envFrom"] == [{"secretRef": {"name": "tep-storage-credentials"}}]
        assert step["volumeMounts"] == root_mount


def _aws_calls(step: dict[str, Any], folder: Path) -> list[list[str]]:
    """The `aws` commands a staging step's script runs, each as its words, with an `aws` on
    the PATH that only writes them down."""
    calls = folder / "calls"
    program = folder / "bin" / "aws"
    program.parent.mkdir()
    program.write_text(
        '#!/bin/sh\nfor word in "$@"; do printf \'%s\\t\' "$word"; done >> "$CALLS"\n'
        'echo >> "$CALLS"\n'
    )
    program.chmod(0o755)
    environment = {
        **_env(step),
        "CALLS": str(calls),
        "PATH": f"{program.parent}:{os.environ['PATH']}",
    }
    subprocess.run(  # noqa: S603 - the manifest's own command, on our fake aws
        step["command"] + step.get("args", []), env=environment, check=True, timeout=30
    )
    return [line.split("\t")[:-1] for line in calls.read_text().splitlines()]


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_the_staging_scripts_copy_each_stored_input_to_its_path_whatever_its_name(
    dsi: Process, storage_root: Path, context: RunContext, settings: Settings, tmp_path: Path
) -> None:
    # given two stored products, one with spaces and quotes in its name
    settings.KUBERNETES_STAGING = "s3"
    settings.STORAGE_S3_BUCKET = "tep-bucket"
    products = [
        storage_root / "holdings" / "sar" / "RS2_product.zip",
        storage_root / "users" / "alice" / "workspace" / "data" / "S1 'a' \"b\" $x.zip",
    ]
    pod = _manifest(dsi, {"productRef": products}, context)["spec"]["template"]["spec"]
    stage_in = pod["initContainers"][0]
    (stage_out,) = pod["containers"]
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()

    # when their scripts run
    copied_in = _aws_calls(stage_in, tmp_path / "in")
    copied_out = _aws_calls(stage_out, tmp_path / "out")

    # then stage-in copies the job folder, then each product from its key to its path
    job_key = f"users/alice/workspace/jobs/{context.job_id}"
    assert copied_in == [
        [
            "s3",
            "cp",
            "--recursive",
            "--only-show-errors",
            f"s3://tep-bucket/{job_key}/",
            f"{context.workdir}/",
        ],
        *(
            [
                "s3",
                "cp",
                "--only-show-errors",
                f"s3://tep-bucket/{product.relative_to(storage_root)}",
                str(product),
            ]
            for product in products
        ),
    ]
    # and readies the outputs folder, which stage-out copies up
    assert (context.workdir / "outputs").is_dir()
    assert copied_out == [
        [
            "s3",
            "cp",
            "--recursive",
            "--only-show-errors",
            f"{context.workdir / 'outputs'}/",
            f"s3://tep-bucket/{job_key}/outputs/",
        ]
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("standin")
def test_the_pod_runs_the_container_the_engine_would_run(
    dana: User, scene: Path, context: RunContext
) -> None:
    # given a unit with a command of its own and a variable, and an input outside the job
    unit = {**NDVI_UNIT, "command": ["/opt/snap/bin/gpt", "ndvi.xml"], "env": {"SNAP_MEM": "2G"}}
    process = docker_process_create(dana, NDVI_DESCRIPTION, unit, identifier="ndvi-gpt")
    inputs = {"source": scene, "red_source_band": 4}

    # when the Kubernetes runner and the engine runner translate its container
    pod_unit = _unit(_manifest(process, inputs, context))
    engine = engine_run_command(container_spec(process, inputs, context))

    # then both run the same program with the same arguments, variables, files and limits
    after_image = engine[engine.index("eoc/ndvi:latest") + 1 :]
    assert _option_values(engine, "--entrypoint") == pod_unit["command"][:1]
    assert after_image == pod_unit["command"][1:] + pod_unit["args"]
    assert _option_values(engine, "-e") == [f"{n}={v}" for n, v in _env(pod_unit).items()]
    assert _env(pod_unit)["SNAP_MEM"] == "2G"
    workdir = context.workdir
    assert _option_values(engine, "-v") == [f"{workdir}:{workdir}", f"{scene}:{scene}:ro"]
    assert [
        (mount["mountPath"], mount.get("readOnly", False)) for mount in pod_unit["volumeMounts"]
    ] == [
        (str(workdir), False),
        (str(scene), True),
    ]
    assert _option_values(engine, "--cpus") + _option_values(engine, "--memory") == ["4", "3g"]
    assert pod_unit["resources"]["limits"] == {"cpu": "4", "memory": "3Gi"}


# --- Following a pod's log ----------------------------------------------------------------


class ScriptedLogs:
    """A cluster whose pod log gives these texts, one per read, and remembers each read."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        self.since_seconds: list[int | None] = []

    def pod_log(self, pod_name: str, *, since_seconds: int | None) -> str:
        self.since_seconds.append(since_seconds)
        return self.texts.pop(0)


def _running_pod() -> V1Pod:
    status = V1ContainerStatus(
        name="unit",
        image="eoc/ndvi:latest",
        image_id="",
        ready=True,
        restart_count=0,
        state=V1ContainerState(running=V1ContainerStateRunning()),
    )
    return V1Pod(
        metadata=V1ObjectMeta(name="pod-1"), status=V1PodStatus(container_statuses=[status])
    )


def test_a_pod_log_read_again_forwards_only_the_lines_it_had_not() -> None:
    # given three reads that overlap, lines written at the same moment, and an unfinished line
    first = "2026-03-01T10:00:00.000000001Z a\n2026-03-01T10:00:00.000000001Z b\n"
    logs = ScriptedLogs(
        first + "2026-03-01T10:00:01.5Z half",
        first + "2026-03-01T10:00:01.5Z half a line\n2026-03-01T10:00:01.5Z b\n",
        "2026-03-01T10:00:01.5Z half a line\n2026-03-01T10:00:01.5Z b\n2026-03-01T10:00:02Z end",
    )
    forwarded: list[str] = []
    pod_log = PodLog(cast(Cluster, logs), forwarded.append)

    # when the log is followed, the last time at the pod's end
    pod_log.forward(_running_pod(), is_final=False)
    pod_log.forward(_running_pod(), is_final=False)
    pod_log.forward(_running_pod(), is_final=True)

    # then each line was forwarded once, the unfinished one when it was whole or at the end
    assert forwarded == ["a", "b", "half a line", "b", "end"]
    # and the first read asked for the whole log, the others for what came since
    assert logs.since_seconds[0] is None
    assert all(since is not None for since in logs.since_seconds[1:])


# --- Whole jobs through the stand-in --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ndvi_job_succeeds_with_its_raster_and_the_pods_log(
    standin: KubernetesStandin, ndvi: Process, scene: Path, alice: User
) -> None:
    # given an image that logs two lines and writes the raster
    standin.behave(
        "eoc/ndvi:latest",
        succeed(after_polls=3, writes={"raster.tif": RASTER}, log="reading scene\nwriting NDVI\n"),
    )
    job = _ndvi_job(alice, ndvi, red_source_band=4, nir_source_band=8)
    name = f"tep-job-{job.pk}"

    # when the worker runs it
    job = job_run_now(job)

    # then the job succeeded with the raster in its folder, and the pod's log in its run log
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    (output,) = job.outputs.all()
    assert (output.output_id, output.storage_path, output.media_type, output.size_bytes) == (
        "raster",
        f"{job.storage_prefix}outputs/raster.tif",
        "image/tiff; application=geotiff",
        len(RASTER),
    )
    assert _in_order(
        log_lines(job),
        [
            f"kubernetes job {name} created",
            "reading scene",
            "writing NDVI",
            f"kubernetes job {name} deleted",
            "successful",
        ],
    )
    # and the cluster got one Job, with the arguments of the binding, deleted in the end
    (created,) = standin.created
    # (all at position 0: in the order of their input ids)
    assert _unit(created)["args"] == [
        "nir_factor=1.0",
        "nir_band=8",
        "red_factor=1.0",
        "red_band=4",
        f"sourceImage={scene}",
    ]
    assert standin.deleted == [(name, {"propagationPolicy": ["Background"]})]
    assert standin.jobs == {}


@pytest.mark.django_db(transaction=True)
def test_a_long_running_pods_log_reaches_the_run_log_once_later_reads_asking_for_recent_lines(
    standin: KubernetesStandin, ndvi: Process, scene: Path, alice: User
) -> None:
    # given a pod that logs a line as it starts, then two at once at each of 30 polls
    standin.behave(
        "eoc/ndvi:latest",
        succeed(
            after_polls=30,
            writes={"raster.tif": RASTER},
            log="starting\n",
            log_each_poll=lambda poll: f"tile {poll} read\ntile {poll} done\n",
        ),
    )
    job = _ndvi_job(alice, ndvi)

    # when the worker runs it
    job = job_run_now(job)

    # then each line of the pod's log is in the run log once, in order
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    pod_lines = [line for line in log_lines(job) if line == "starting" or line.startswith("tile ")]
    tiles = [f"tile {poll} {step}" for poll in range(1, 31) for step in ("read", "done")]
    assert pod_lines == ["starting", *tiles]
    # and only the first read asked for the whole log; the others for its last few seconds
    first, *others = standin.log_reads
    assert first == {"container": ["unit"], "timestamps": ["True"]}
    assert len(others) >= 29
    assert all(read["timestamps"] == ["True"] for read in others)
    assert all(1 <= int(read["sinceSeconds"][0]) < 30 for read in others)


@pytest.mark.django_db(transaction=True)
def test_dsi_job_reads_its_parameter_file_and_writes_geojson(
    standin: KubernetesStandin, dsi: Process, alice: User
) -> None:
    # given two products and an image that lists the products of its parameter file
    holdings_file("sar/RS2_product.zip", b"rs2")
    holdings_file("sar/S1A_product.zip", b"s1")

    def detect_ships(container: SimulatedContainer) -> None:
        products = Path(container.args[0]).read_text().split()
        features = [
            {"type": "Feature", "geometry": None, "properties": {"product": Path(p).name}}
            for p in products
        ]
        document = {"type": "FeatureCollection", "features": features}
        (container.output_dir / "output.geojson").write_text(json.dumps(document))

    standin.behave("pvretano/dsi:latest", succeed(run=detect_ships))
    job = job_accept(
        alice,
        dsi,
        {
            "inputs": {
                "productRef": [
                    {"href": "holdings/sar/RS2_product.zip"},
                    {"href": "holdings/sar/S1A_product.zip"},
                ]
            }
        },
    )

    # when the worker runs it
    job = job_run_now(job)

    # then its GeoJSON output names both products
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    (output,) = job.outputs.all()
    assert (output.output_id, output.media_type) == ("output", "application/geo+json")
    document = json.loads((job_workdir(job) / "outputs" / "output.geojson").read_text())
    assert [feature["properties"]["product"] for feature in document["features"]] == [
        "RS2_product.zip",
        "S1A_product.zip",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("scene")
def test_nested_steps_of_one_job_run_as_kubernetes_jobs_of_their_own(
    standin: KubernetesStandin, ndvi: Process, context: RunContext, alice: User
) -> None:
    # given an NDVI pod writing a raster, and a job's two inputs nested NDVI calls
    standin.behave("eoc/ndvi:latest", succeed(writes={"raster.tif": RASTER}))
    nested = {"process": ndvi.identifier, "inputs": {"source": {"href": SCENE_HREF}}}

    # when the nested calls run (side by side)
    inputs = nested_inputs_resolve({"first": nested, "second": nested}, context, alice)

    # then each ran as a Kubernetes Job of its own, named after the job, and gave its raster
    names = [manifest["metadata"]["name"] for manifest in standin.created]
    assert len(names) == len(set(names)) == 2
    assert all(name.startswith(f"tep-job-{context.job_id}-") for name in names)
    assert Path(inputs["first"]).read_bytes() == Path(inputs["second"]).read_bytes() == RASTER
    assert inputs["first"] != inputs["second"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("s3_staging")
def test_s3_staging_names_an_input_missing_from_the_store(
    standin: KubernetesStandin, ndvi_share: Process, alice: User
) -> None:
    # given a job on a scene the store does not hold
    job = _ndvi_job(alice, ndvi_share)

    # when the worker runs it
    job = job_run_now(job)

    # then it fails naming the file, and no pod was started
    assert job.status == JobStatus.FAILED
    assert f"There is no file {SCENE_HREF!r}" in job.message
    assert standin.created == []


@pytest.mark.usefixtures("s3_staging")
def test_an_output_a_pod_left_in_the_store_reaches_a_workflow_step_as_a_local_file(
    settings: Settings,
) -> None:
    # given a raster a step's pod left in the store
    key = "users/alice/workspace/jobs/j/cwl/out/outputs/raster.tif"
    platform_storage().write(key, [RASTER])
    output = OutputFile(Path(settings.STORAGE_ROOT) / key, "image/tiff", stored_size=len(RASTER))

    # when it is handed to cwltool as the step's output
    value = cwl_value(output)

    # then it is a File on this machine, with its name
    assert value["basename"] == "raster.tif"
    assert Path(value["location"].removeprefix("file://")).read_bytes() == RASTER


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("s3_staging")
def test_a_nested_steps_output_left_in_the_store_reaches_the_next_process_as_a_local_file(
    standin: KubernetesStandin, ndvi: Process, context: RunContext, alice: User
) -> None:
    # given a scene in the store, and an NDVI pod writing a raster
    platform_storage().write(SCENE_HREF, [b"scene"])
    standin.behave("eoc/ndvi:latest", succeed(writes={"raster.tif": RASTER}))
    nested = {"process": ndvi.identifier, "inputs": {"source": {"href": SCENE_HREF}}}

    # when a job's input is that nested call (the job's process may run on the worker)
    inputs = nested_inputs_resolve({"data": nested}, context, alice)

    # then the input is the raster on the worker's disk
    assert Path(inputs["data"]).read_bytes() == RASTER


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("s3_staging")
def test_s3_staging_leaves_the_outputs_in_the_store_and_fetches_only_outputs_json(
    standin: KubernetesStandin, ndvi_share: Process, alice: User
) -> None:
    # given a scene in the store, and an image writing a raster and a value
    platform_storage().write(SCENE_HREF, [b"scene"])
    standin.behave(
        "eoc/ndvi:latest",
        succeed(writes={"raster.tif": RASTER, "outputs.json": b'{"vegetatedShare": 0.42}'}),
    )
    job = _ndvi_job(alice, ndvi_share)
    prefix = job.storage_prefix

    # when the worker runs it
    with store_transfers() as transfers:
        job = job_run_now(job)

    # then the job has the raster, as stage-out stored it, and the value
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    assert [
        (row.output_id, row.storage_path, row.media_type, row.size_bytes, row.value)
        for row in job.outputs.all()
    ] == [
        (
            "raster",
            f"{prefix}outputs/raster.tif",
            "image/tiff; application=geotiff",
            len(RASTER),
            None,
        ),
        ("vegetatedShare", "", "application/json", 0, 0.42),
    ]
    assert b"".join(platform_storage().read(f"{prefix}outputs/raster.tif")) == RASTER
    # and the worker fetched outputs.json alone, and uploaded no output again
    assert [(op, key) for op, key in transfers if key.startswith(f"{prefix}outputs/")] == [
        ("read", f"{prefix}outputs/outputs.json")
    ]
    assert not (job_workdir(job) / "outputs" / "raster.tif").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("s3_staging")
def test_s3_staging_has_the_pod_copy_a_workspace_file_from_its_key(
    standin: KubernetesStandin, ndvi: Process, alice: User, settings: Settings
) -> None:
    # given a scene in alice's workspace in the store, and an image that reads it
    key = "users/alice/workspace/data/scene.tif"
    platform_storage().write(key, [b"scene"])
    standin.behave("eoc/ndvi:latest", succeed(run=_writes_what_it_saw))
    job = _ndvi_job(alice, ndvi, "workspace/data/scene.tif")

    # when the worker runs it
    with store_transfers() as transfers:
        job = job_run_now(job)

    # then the pod found the scene at its path below STORAGE_ROOT, copied from its key
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    scene = Path(settings.STORAGE_ROOT) / key
    (created,) = standin.created
    assert _unit(created)["args"][-1] == f"sourceImage={scene}"
    assert created["spec"]["template"]["spec"]["initContainers"][0]["args"] == [key]
    (output,) = job.outputs.all()
    assert output.size_bytes == len(RASTER + b"scene")
    assert b"".join(platform_storage().read(output.storage_path)) == RASTER + b"scene"
    # and the worker moved no file: neither the scene nor the raster
    assert transfers == []
    assert not scene.exists()
    assert job.bytes_staged_in == len(b"scene")


def _writes_what_it_saw(container: SimulatedContainer) -> None:
    """A unit whose raster proves what it read: RASTER, then the bytes of its sourceImage."""
    source = container.args[-1].removeprefix("sourceImage=")
    (container.output_dir / "raster.tif").write_bytes(RASTER + container.path(source).read_bytes())


@pytest.mark.django_db
@pytest.mark.usefixtures("s3_staging")
def test_s3_staging_puts_inputs_only_on_the_workers_disk_where_the_pod_finds_them(
    standin: KubernetesStandin,
    dsi: Process,
    storage_root: Path,
    context: RunContext,
    tmp_path: Path,
) -> None:
    # given a batch of a job, a nested process's output of that job on the worker's disk,
    # and a file outside STORAGE_ROOT
    batch = replace(context, workdir=context.workdir / "batches" / "1")
    batch.workdir.mkdir(parents=True)
    nested_output = context.workdir / "nested" / "1" / "outputs" / "rs2.zip"
    nested_output.parent.mkdir(parents=True)
    nested_output.write_bytes(b"rs2")
    elsewhere = tmp_path / "elsewhere" / "s1.zip"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"s1")
    seen: list[tuple[str, bytes]] = []

    def read_products(container: SimulatedContainer) -> None:
        for product in container.path(container.args[0]).read_text().split():
            seen.append((product, container.path(product).read_bytes()))
        (container.output_dir / "output.geojson").write_text('{"type": "FeatureCollection"}')

    standin.behave("pvretano/dsi:latest", succeed(run=read_products))

    # when the batch runs dsi on both
    results = RUNNER.run(dsi, {"productRef": [nested_output, elsewhere]}, batch)

    # then the pod found the first at its own path, which the worker put into the store at
    # its key, and the second gathered into the batch's folder
    assert seen == [
        (str(nested_output), b"rs2"),
        (str(batch.workdir / "inputs" / "productRef-1.zip"), b"s1"),
    ]
    key = nested_output.relative_to(storage_root).as_posix()
    assert b"".join(platform_storage().read(key)) == b"rs2"
    assert results == {
        "output": OutputFile(
            batch.workdir / "outputs" / "output.geojson",
            "application/geo+json",
            stored_size=len('{"type": "FeatureCollection"}'),
        )
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("s3_staging")
def test_a_batch_output_its_pod_left_in_the_store_is_recorded_without_an_upload(
    ndvi: Process, alice: User
) -> None:
    # given a running job whose batch's pod left the raster in the store, and the output as
    # the batch's row gives it back: without its size
    job = _ndvi_job(alice, ndvi)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    key = f"{job.storage_prefix}batches/1/outputs/raster.tif"
    platform_storage().write(key, [RASTER])
    raster = OutputFile(job_workdir(job) / "batches" / "1" / "outputs" / "raster.tif", "image/tiff")

    # when the job succeeds with it
    with store_transfers() as transfers:
        job_succeed(job, {"raster": [raster]}, {})

    # then its row has the stored file's size, and nothing was uploaded
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESSFUL
    assert [(row.output_id, row.storage_path, row.size_bytes) for row in job.outputs.all()] == [
        ("raster.1", key, len(RASTER))
    ]
    assert transfers == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("scene")
def test_outputs_json_gives_literal_outputs(
    standin: KubernetesStandin, ndvi_share: Process, alice: User
) -> None:
    # given NDVI with a literal output too, and an image writing both
    standin.behave(
        "eoc/ndvi:latest",
        succeed(writes={"raster.tif": RASTER, "outputs.json": b'{"vegetatedShare": 0.42}'}),
    )
    job = _ndvi_job(alice, ndvi_share)

    job = job_run_now(job)

    assert job.status == JobStatus.SUCCESSFUL, job.exception
    assert [(row.output_id, row.value, row.storage_path) for row in job.outputs.all()] == [
        ("raster", None, f"{job.storage_prefix}outputs/raster.tif"),
        ("vegetatedShare", 0.42, ""),
    ]


@pytest.mark.django_db(transaction=True)
def test_failing_container_fails_the_job_with_its_reason_message_and_exit_code(
    standin: KubernetesStandin, ndvi: Process, scene: Path, alice: User
) -> None:
    # given an image that ends in error
    standin.behave(
        "eoc/ndvi:latest",
        fail(reason="Error", message="band 13 is missing", exit_code=2, log="reading scene\n"),
    )
    job = _ndvi_job(alice, ndvi)

    # when the worker runs it
    job = job_run_now(job)

    # then the job failed, saying why, and the Kubernetes Job is gone
    assert job.status == JobStatus.FAILED
    detail = "The container failed (Error, exit code 2): band 13 is missing"
    assert job.exception is not None
    assert job.exception["detail"] == detail
    assert _in_order(log_lines(job), ["reading scene", f"failed: {detail}"])
    assert standin.deleted == [(f"tep-job-{job.pk}", {"propagationPolicy": ["Background"]})]
    assert not job.outputs.exists()


@pytest.mark.django_db(transaction=True)
def test_job_past_its_deadline_fails_with_a_timeout_message(
    standin: KubernetesStandin, dana: User, scene: Path, alice: User
) -> None:
    # given NDVI with a one-second timeout, and an image that takes longer
    unit = {**NDVI_UNIT, "config": {**NDVI_UNIT["config"], "jobTimeout": 1}}
    process = docker_process_create(
        dana, {**NDVI_DESCRIPTION, "jobTimeout": 1}, unit, identifier="ndvi-quick"
    )
    standin.behave("eoc/ndvi:latest", deadline(log="still working\n"))
    job = _ndvi_job(alice, process)

    # when the worker runs it
    job = job_run_now(job)

    # then the Job's deadline was one second, and the job failed for it
    assert standin.created[0]["spec"]["activeDeadlineSeconds"] == 1
    assert job.status == JobStatus.FAILED
    assert job.exception is not None
    assert job.exception["detail"] == "The job exceeded its deadline of 1 s."
    assert standin.jobs == {}


@pytest.mark.django_db(transaction=True)
def test_dismissing_a_running_job_deletes_its_kubernetes_job(
    standin: KubernetesStandin, ndvi: Process, scene: Path, alice: User
) -> None:
    # given a job whose pod runs until it is deleted, run by a worker thread
    standin.behave("eoc/ndvi:latest", hang(log="working\n"))
    job = _ndvi_job(alice, ndvi)
    name = f"tep-job-{job.pk}"

    worker = job_run_on_thread(job)
    wait_for(lambda: (found := standin.job(name)) is not None and found.state == "running")

    # when the user dismisses it
    job_dismiss(job=Job.objects.get(pk=job.pk))

    # then the Kubernetes Job was deleted, the worker stopped, and the job stays dismissed
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert standin.deleted[0] == (name, {"propagationPolicy": ["Background"]})
    assert standin.jobs == {}
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED
    assert "stopped: the job was dismissed" in log_lines(job)


@pytest.mark.django_db(transaction=True)
def test_a_long_running_pod_says_running_once_and_a_dismissal_still_deletes_its_job(
    standin: KubernetesStandin,
    ndvi: Process,
    scene: Path,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a job whose pod runs until deleted, looked after every tenth of a second
    monkeypatch.setattr(f"{CONTAINER_MODULE}.STOP_CHECK_SECONDS", 0.1)
    monkeypatch.setattr(f"{CONTAINER_MODULE}.REPORT_EVERY_SECONDS", 0.1)
    stop_checks = stop_checks_counted(monkeypatch)
    standin.behave("eoc/ndvi:latest", hang())
    job = _ndvi_job(alice, ndvi)
    name = f"tep-job-{job.pk}"
    worker = job_run_on_thread(job)
    simulated = wait_for(
        lambda: (found := standin.job(name)) and found.state == "running" and found
    )

    # when it has run for many of those intervals, then is dismissed by a web process that
    # cannot reach the cluster
    wait_for(lambda: len(stop_checks) >= 5)
    monkeypatch.setattr(dismissal, "runner_stop", _cluster_unreachable)
    job_dismiss(job=Job.objects.get(pk=job.pk))

    # then the worker noticed and deleted the Kubernetes Job itself
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert standin.deleted == [(name, {"propagationPolicy": ["Background"]})]
    # and the run log says once that the pod runs
    lines = log_lines(job)
    assert [line for line in lines if line.endswith(": running")] == [
        f" 10% pod {simulated.pod_name}: running"
    ]
    assert "stopped: the job was dismissed" in lines


def _cluster_unreachable(process: Process, job_id: str) -> None:
    raise RunnerStopError(f"The Kubernetes job of {job_id} could not be deleted: no route")


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_job_follows_the_kubernetes_job_already_there(
    standin: KubernetesStandin, ndvi: Process, scene: Path, alice: User
) -> None:
    # given a Kubernetes Job a lost worker created for this job
    standin.behave("eoc/ndvi:latest", succeed(writes={"raster.tif": RASTER}))
    job = _ndvi_job(alice, ndvi)
    context = RunContext(
        job_id=str(job.pk),
        owner=alice,
        workdir=job_workdir(job),
        progress=lambda percent, message="": None,
    )
    (context.workdir / "outputs").mkdir(parents=True)
    with kubernetes_api_client() as api:
        Cluster.of(api).job_create(job_manifest(ndvi, {"source": scene}, context))

    # when the job runs again
    job = job_run_now(job)

    # then it followed that Job to its end
    assert job.status == JobStatus.SUCCESSFUL, job.exception
    assert len(standin.created) == 1
    assert f"kubernetes job tep-job-{job.pk} already exists: following it" in log_lines(job)


@pytest.mark.django_db(transaction=True)
def test_a_cluster_refusing_the_token_fails_the_job(
    standin: KubernetesStandin, ndvi: Process, scene: Path, alice: User, settings: Settings
) -> None:
    settings.KUBERNETES_API_TOKEN = "not-the-token"
    job = _ndvi_job(alice, ndvi)

    job = job_run_now(job)

    assert job.status == JobStatus.FAILED
    assert job.exception is not None
    assert job.exception["detail"] == (
        "The Kubernetes cluster did not take the job: HTTP 401 Unauthorized: Unauthorized"
    )
    assert standin.created == []


@pytest.mark.django_db
def test_deleting_the_kubernetes_job_of_a_job_without_one_is_fine(
    standin: KubernetesStandin,
) -> None:
    kubernetes_job_delete(str(uuid.uuid4()))

    assert standin.deleted == []
    assert standin.requests[-1][0] == "GET"


@pytest.mark.django_db(transaction=True)
def test_a_job_is_dismissed_even_when_the_cluster_is_unreachable(
    standin: KubernetesStandin, ndvi: Process, alice: User, settings: Settings
) -> None:
    # given a cluster that does not answer
    settings.KUBERNETES_API_URL = "http://127.0.0.1:9"
    job = _ndvi_job(alice, ndvi, "holdings/s2/none.tif")

    # when the job is dismissed
    with pytest.raises(RunnerStopError):
        kubernetes_job_delete(str(job.pk))
    job_dismiss(job=job)

    # then it is dismissed all the same, saying its container may still run
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED
    lines = log_lines(job)
    assert lines[-1] == "dismissed"
    assert lines[-2].startswith("its container was not stopped: The Kubernetes job of")
