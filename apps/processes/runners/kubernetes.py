"""Runs `docker` execution units as Kubernetes Jobs.

Each platform job becomes one Kubernetes Job named `tep-job-<job id>` in
KUBERNETES_NAMESPACE, so a redelivered task finds the Job it created before and follows it.
The worker polls the Job, forwards its pod's log to the run log, and deletes the Job at the
end (unless KUBERNETES_KEEP_JOBS); `ttlSecondsAfterFinished` removes any it could not delete.

How files reach the pod (KUBERNETES_STAGING):

- "volume": the PersistentVolumeClaim KUBERNETES_STORAGE_CLAIM holds STORAGE_ROOT, which the
  worker mounts too. The pod mounts from it the job folder (read-write) and each input file
  (read-only), at the same absolute paths as on the worker. An input outside STORAGE_ROOT (a
  temporary copy from an object store) is first copied into the job folder.
- "s3": the pod cannot see the worker's disk; the platform's object store stands for it, a
  key for the path below STORAGE_ROOT. The pod runs, on an emptyDir mounted at STORAGE_ROOT,
  the init container `stage-in`, then the unit as a second init container, then the
  container `stage-out`, all with KUBERNETES_STAGING_IMAGE and the store's credentials from
  the Secret KUBERNETES_STORAGE_SECRET. Running the unit as an init container keeps that
  order without needing a shell or a copy tool in the unit's image.
  - In: the worker puts the job folder (parameter files, downloaded inputs) into the store,
    and `stage-in` copies it down. A file of the platform's storage (a workspace file, say)
    is not fetched by the worker: staging gives it at its path below STORAGE_ROOT, and
    `stage-in` copies it from its key to that path, as the volume staging mounts it from
    the claim. An input file only on the worker's disk outside the job folder is put into
    the store at its key first; one outside STORAGE_ROOT is copied into the job folder.
  - Out: `stage-out` copies `outputs/` up to the job's keys, where the output files stay.
    The worker reads the store's listing of `outputs/` (names and sizes) and fetches only
    `outputs.json`; finishing the job uploads no output file again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from apps.processes.models import Process
from apps.processes.runners.base import ExecutionFailedError, RunContext, run_log_writer
from apps.processes.runners.container import (
    OUTPUT_VALUES_FILE,
    OUTPUTS_FOLDER,
    ContainerMount,
    ContainerResources,
    ContainerSpec,
    RunnerStopError,
    container_mounts,
    container_spec,
    inputs_gathered,
    outputs_collect,
    outputs_collect_stored,
    outputs_folder,
    outputs_folder_prepare,
    quantity,
)
from apps.processes.runners.kubernetes_cluster import (
    UNIT_CONTAINER,
    Cluster,
    JobWatch,
    api_error_text,
    kubernetes_api_client,
)
from apps.workspaces.storage import platform_storage, storage_file_fetch

logger = logging.getLogger(__name__)

VOLUME_STAGING = "volume"
S3_STAGING = "s3"
STORAGE_VOLUME = "storage"
# stage-in's arguments are the keys of the input files outside the job folder: positional
# parameters carry any character a key may hold, spaces included.
STAGE_IN_SCRIPT = (
    'set -e; aws s3 cp --recursive --only-show-errors "$SOURCE" "$TARGET"; '
    'for key in "$@"; do aws s3 cp --only-show-errors "$STORE$key" "$ROOT/$key"; done; '
    'mkdir -p "$TEP_OUTPUT_DIR"; chmod 777 "$TEP_OUTPUT_DIR"'
)
STAGE_OUT_SCRIPT = 'aws s3 cp --recursive --only-show-errors "$TEP_OUTPUT_DIR/" "$TARGET"'


def _staging() -> str:
    staging = settings.KUBERNETES_STAGING
    if staging not in (VOLUME_STAGING, S3_STAGING):
        raise ImproperlyConfigured(f"KUBERNETES_STAGING must be 'volume' or 's3', not {staging!r}.")
    return str(staging)


def _storage_root() -> Path:
    return Path(settings.STORAGE_ROOT)


def _storage_key(path: Path) -> str:
    """The path relative to STORAGE_ROOT: its subPath on the claim, its key in the store."""
    if not path.is_relative_to(_storage_root()):
        raise ExecutionFailedError(f"{path} is not in the platform's storage the pod mounts.")
    return path.relative_to(_storage_root()).as_posix()


def _label_value(text: str) -> str:
    """A Kubernetes label value: at most 63 characters, starting and ending alphanumeric."""
    return text[:63].strip("-_.")


def _resources(resources: ContainerResources) -> client.V1ResourceRequirements:
    """Requests from the unit's minimums, limits from its maximums; GB are taken as Gi."""
    wanted = {
        ("requests", "cpu"): (resources.cpu_min, ""),
        ("requests", "memory"): (resources.memory_min_gb, "Gi"),
        ("requests", "ephemeral-storage"): (resources.storage_temp_min_gb, "Gi"),
        ("limits", "cpu"): (resources.cpu_max, ""),
        ("limits", "memory"): (resources.memory_max_gb, "Gi"),
    }
    kinds: dict[str, dict[str, str]] = {"requests": {}, "limits": {}}
    for (kind, resource), (number, unit_suffix) in wanted.items():
        if number is not None:
            kinds[kind][resource] = quantity(number) + unit_suffix
    return client.V1ResourceRequirements(
        requests=kinds["requests"] or None, limits=kinds["limits"] or None
    )


def _unit_container(spec: ContainerSpec, mounts: list[client.V1VolumeMount]) -> client.V1Container:
    return client.V1Container(
        name=UNIT_CONTAINER,
        image=spec.image,
        command=list(spec.command) or None,
        args=list(spec.arguments) or None,
        env=[client.V1EnvVar(name=name, value=value) for name, value in spec.environment.items()],
        resources=_resources(spec.resources),
        volume_mounts=mounts,
        termination_message_policy="FallbackToLogsOnError",
    )


def _claim_mount(mount: ContainerMount) -> client.V1VolumeMount:
    """The file or folder from the storage claim, at its worker path."""
    return client.V1VolumeMount(
        name=STORAGE_VOLUME,
        mount_path=str(mount.path),
        sub_path=_storage_key(mount.path),
        read_only=mount.read_only or None,
    )


def _claim_volume() -> client.V1Volume:
    return client.V1Volume(
        name=STORAGE_VOLUME,
        persistent_volume_claim=client.V1PersistentVolumeClaimVolumeSource(
            claim_name=settings.KUBERNETES_STORAGE_CLAIM
        ),
    )


def _staging_container(
    name: str, script: str, environment: dict[str, str], arguments: list[str] | None = None
) -> client.V1Container:
    """A step copying between the object store and the pod's emptyDir; `arguments` are the
    script's positional parameters."""
    store = {"AWS_DEFAULT_REGION": settings.STORAGE_S3_REGION}
    if settings.STORAGE_S3_ENDPOINT_URL:
        store["AWS_ENDPOINT_URL"] = settings.STORAGE_S3_ENDPOINT_URL
    secret = settings.KUBERNETES_STORAGE_SECRET
    return client.V1Container(
        name=name,
        image=settings.KUBERNETES_STAGING_IMAGE,
        command=["sh", "-c", script, name],
        args=arguments or None,
        env=[
            client.V1EnvVar(name=key, value=value)
            for key, value in {**store, **environment}.items()
        ],
        env_from=[client.V1EnvFromSource(secret_ref=client.V1SecretEnvSource(name=secret))],
        volume_mounts=[client.V1VolumeMount(name=STORAGE_VOLUME, mount_path=str(_storage_root()))],
    )


@dataclass(frozen=True)
class PodParts:
    init_containers: list[client.V1Container]
    containers: list[client.V1Container]
    volumes: list[client.V1Volume]


def _volume_pod_parts(spec: ContainerSpec) -> PodParts:
    """The unit alone, on the storage claim."""
    mounts = [_claim_mount(mount) for mount in spec.mounts]
    unit_container = _unit_container(spec, mounts)
    return PodParts(init_containers=[], containers=[unit_container], volumes=[_claim_volume()])


def _inputs_outside(mounts: tuple[ContainerMount, ...], workdir: Path) -> list[Path]:
    return [mount.path for mount in mounts if not mount.path.is_relative_to(workdir)]


def _s3_pod_parts(spec: ContainerSpec, workdir: Path) -> PodParts:
    """stage-in, the unit, stage-out, on an emptyDir in place of STORAGE_ROOT. stage-in
    copies the job folder, then each input outside it from its key."""
    root_mount = client.V1VolumeMount(name=STORAGE_VOLUME, mount_path=str(_storage_root()))
    unit_container = _unit_container(spec, [root_mount])
    bucket = f"s3://{settings.STORAGE_S3_BUCKET}"
    job_key = _storage_key(workdir)
    output_folder = str(workdir / OUTPUTS_FOLDER)
    stage_in = _staging_container(
        "stage-in",
        STAGE_IN_SCRIPT,
        {
            "SOURCE": f"{bucket}/{job_key}/",
            "TARGET": f"{workdir}/",
            "STORE": f"{bucket}/",
            "ROOT": str(_storage_root()),
            "TEP_OUTPUT_DIR": output_folder,
        },
        [_storage_key(path) for path in _inputs_outside(spec.mounts, workdir)],
    )
    stage_out = _staging_container(
        "stage-out",
        STAGE_OUT_SCRIPT,
        {"TEP_OUTPUT_DIR": output_folder, "TARGET": f"{bucket}/{job_key}/{OUTPUTS_FOLDER}/"},
    )
    volume = client.V1Volume(name=STORAGE_VOLUME, empty_dir=client.V1EmptyDirVolumeSource())
    return PodParts(
        init_containers=[stage_in, unit_container], containers=[stage_out], volumes=[volume]
    )


def job_manifest(process: Process, inputs: dict[str, Any], context: RunContext) -> client.V1Job:
    """The Kubernetes Job running the process's docker unit on these (staged) inputs.

    Makes no API call; parameter files the input binding asks for are written into the
    job folder. Raises ExecutionFailedError when the unit or the inputs cannot be run.
    """
    spec = container_spec(process, inputs, context)
    labels = {name: _label_value(value) for name, value in spec.labels.items()}
    if _staging() == VOLUME_STAGING:
        parts = _volume_pod_parts(spec)
    else:
        parts = _s3_pod_parts(spec, context.workdir)
    service_account = settings.KUBERNETES_SERVICE_ACCOUNT
    pod_spec = client.V1PodSpec(
        restart_policy="Never",
        init_containers=parts.init_containers or None,
        containers=parts.containers,
        volumes=parts.volumes,
        service_account_name=service_account or None,
        # A unit has no business with the API unless the platform gives it an account.
        automount_service_account_token=bool(service_account),
        image_pull_secrets=[
            client.V1LocalObjectReference(name=name)
            for name in settings.KUBERNETES_IMAGE_PULL_SECRETS
        ]
        or None,
    )
    return client.V1Job(
        api_version="batch/v1",
        kind="Job",
        metadata=client.V1ObjectMeta(name=spec.name, labels=labels),
        spec=client.V1JobSpec(
            backoff_limit=0,
            active_deadline_seconds=spec.timeout_seconds,
            ttl_seconds_after_finished=settings.KUBERNETES_TTL_SECONDS_AFTER_FINISHED,
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels), spec=pod_spec
            ),
        ),
    )


def _job_start(cluster: Cluster, manifest: client.V1Job, log: Callable[[str], None]) -> None:
    name = manifest.metadata.name
    try:
        created = cluster.job_create(manifest)
    except (ApiException, HTTPError) as error:
        logger.error("Creating the Kubernetes job %s failed: %s", name, api_error_text(error))
        raise ExecutionFailedError(
            f"The Kubernetes cluster did not take the job: {api_error_text(error)}"
        ) from error
    if created:
        log(f"kubernetes job {name} created")
    else:
        log(f"kubernetes job {name} already exists: following it")


def _job_remove(cluster: Cluster, name: str, log: Callable[[str], None]) -> None:
    """Delete the Job when the run ends, however it ends. A failure here does not change the
    job's outcome: it is logged, and the Job's ttlSecondsAfterFinished removes it later."""
    if settings.KUBERNETES_KEEP_JOBS:
        log(f"kubernetes job {name} kept")
        return
    try:
        deleted = cluster.job_delete(name)
    except (ApiException, HTTPError) as error:
        logger.warning("Deleting the Kubernetes job %s failed: %s", name, api_error_text(error))
        log(f"kubernetes job {name} could not be deleted: {api_error_text(error)}")
        return
    if deleted:
        log(f"kubernetes job {name} deleted")


def _job_folder_upload(workdir: Path) -> None:
    """Put the job folder (parameter files, downloaded inputs) into the store for `stage-in`."""
    storage = platform_storage()
    for path in sorted(workdir.rglob("*")):
        if path.is_file() and not path.is_relative_to(workdir / OUTPUTS_FOLDER):
            storage.put_file(_storage_key(path), path)


def _inputs_outside_upload(inputs: dict[str, Any], workdir: Path) -> None:
    """Make sure the store holds each input outside the job folder, which `stage-in` copies
    by its key.

    A file of the platform's storage is there already, though not on the worker's disk; a
    file only on the worker's disk (a nested process's output, say) is put there.
    """
    storage = platform_storage()
    for path in _inputs_outside(container_mounts(inputs, workdir), workdir):
        key = _storage_key(path)
        entry = storage.stat(key)
        if entry is not None and not entry.is_folder:
            continue
        if not path.is_file():
            raise ExecutionFailedError(
                f"The input {path} is neither a file of the platform's storage nor one of this "
                "worker's."
            )
        storage.put_file(key, path)


def _stored_outputs_collect(
    process: Process, workdir: Path, log: Callable[[str], None]
) -> dict[str, Any]:
    """The outputs `stage-out` put into the store, where they stay: the worker lists them
    and fetches only `outputs.json`, which it must read."""
    storage = platform_storage()
    folder = outputs_folder(workdir)
    prefix = _storage_key(folder) + "/"
    sizes = {
        entry.name: entry.size for entry in storage.walk(prefix) if entry.key == prefix + entry.name
    }
    if OUTPUT_VALUES_FILE in sizes:
        storage_file_fetch(prefix + OUTPUT_VALUES_FILE, folder / OUTPUT_VALUES_FILE)
    return outputs_collect_stored(process, workdir, sizes, log)


def _connect() -> client.ApiClient:
    try:
        return kubernetes_api_client()
    except config.ConfigException as error:
        logger.error("No Kubernetes configuration: %s", error)
        raise ExecutionFailedError("The platform has no Kubernetes cluster configured.") from error


class KubernetesRunner:
    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        log = run_log_writer(context)
        staging = _staging()
        if staging == S3_STAGING and settings.STORAGE_BACKEND != "s3":
            raise ImproperlyConfigured("KUBERNETES_STAGING 's3' needs STORAGE_BACKEND 's3'.")
        outputs_folder_prepare(context.workdir)
        inputs = inputs_gathered(inputs, within=_storage_root(), workdir=context.workdir)
        manifest = job_manifest(process, inputs, context)
        if staging == S3_STAGING:
            _job_folder_upload(context.workdir)
            _inputs_outside_upload(inputs, context.workdir)
        name = manifest.metadata.name
        with _connect() as api:
            cluster = Cluster.of(api)
            _job_start(cluster, manifest, log)
            try:
                ending = JobWatch(
                    cluster, name, manifest.spec.active_deadline_seconds, context, log
                ).follow()
            finally:
                _job_remove(cluster, name, log)
        if ending.failure is not None:
            raise ExecutionFailedError(ending.failure)
        if staging == S3_STAGING:
            return _stored_outputs_collect(process, context.workdir, log)
        return outputs_collect(process, context.workdir, log)


def kubernetes_job_delete(job_id: str) -> None:
    """Delete the Kubernetes Job(s) of a platform job (labelled `tep.job-id`), e.g. when it
    is dismissed; none is fine. Raises RunnerStopError when the cluster cannot be reached or
    refuses."""
    try:
        with kubernetes_api_client() as api:
            cluster = Cluster.of(api)
            for name in cluster.job_names(job_id):
                cluster.job_delete(name)
    except (ApiException, HTTPError, config.ConfigException) as error:
        raise RunnerStopError(
            f"The Kubernetes job of {job_id} could not be deleted: {api_error_text(error)}"
        ) from error


# What apps.processes.runners.registry takes from a container runner's module.
RUNNER = KubernetesRunner()
container_stop = kubernetes_job_delete
