"""What running a `docker` execution unit means, wherever its container runs.

A deployed unit is stored normalised (§17.2.1; memory and storage in GB):

    {"type": "docker", "image": "eoc/ndvi:latest", "command": [...], "env": {...},
     "config": {"cpuMin": 2, "cpuMax": 4, "memoryMin": 1, "memoryMax": 3,
                "storageTempMin": 1, "storageOutputsMin": 1, "jobTimeout": 600}}

The container gets its inputs as arguments made by the package's input binding (§17.2.4) and
as JSON in `TEP_INPUTS`. It writes its results into `TEP_OUTPUT_DIR`, the job folder's
`outputs/`: a file named after an output id (`raster.tif` for `raster`) is that output, and
`outputs.json` may give literal values (`{"count": 3}`).

The container sees each file at the same absolute path as the worker does (the job folder
read-write, each input file read-only, nothing else of the platform's storage), so arguments,
parameter files and `TEP_INPUTS` need no rewriting.
"""

import json
import logging
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings

from apps.processes.binding import BindingError, argument_vector
from apps.processes.models import Process
from apps.processes.registry import ProgressReporter
from apps.processes.runners.base import ExecutionFailedError, OutputFile, RunContext, StopCheck
from apps.workspaces.media import media_type_of

logger = logging.getLogger(__name__)

MANAGED_BY = "tep-marketplace"
CONTAINER_NAME_PREFIX = "tep-job-"
OUTPUTS_FOLDER = "outputs"
GATHERED_INPUTS_FOLDER = "inputs"
OUTPUT_VALUES_FILE = "outputs.json"
STOP_CHECK_SECONDS = 5.0
REPORT_EVERY_SECONDS = 30.0


class RunnerStopError(Exception):
    """The container or Kubernetes Job of a job could not be stopped."""


@dataclass(frozen=True)
class ContainerUnit:
    """A `docker` execution unit, checked."""

    image: str
    command: tuple[str, ...]
    env: dict[str, str]
    config: dict[str, Any]

    def number(self, name: str) -> Decimal | None:
        """A numeric `config` entry (cpuMin, memoryMax, ...); None when the package gives
        none, or 0."""
        value = self.config.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ExecutionFailedError(f"The unit's config {name!r} is not a number: {value!r}.")
        try:
            number = Decimal(str(value))
        except ArithmeticError as error:
            raise ExecutionFailedError(
                f"The unit's config {name!r} is not a number: {value!r}."
            ) from error
        if not number.is_finite() or number < 0:
            raise ExecutionFailedError(f"The unit's config {name!r} must be positive: {value!r}.")
        return number or None


def container_unit(process: Process) -> ContainerUnit:
    """The process's docker unit; ExecutionFailedError when it names no image."""
    unit = process.execution_unit
    image = unit.get("image") or unit.get("unit")
    if not isinstance(image, str) or not image.strip():
        raise ExecutionFailedError(f"The docker unit of {process.identifier!r} names no image.")
    command = unit.get("command") or []
    if not isinstance(command, list) or not all(isinstance(word, str) for word in command):
        raise ExecutionFailedError(f"The docker unit of {process.identifier!r} has a bad command.")
    env = unit.get("env") or {}
    if not isinstance(env, dict):
        raise ExecutionFailedError(f"The docker unit of {process.identifier!r} has a bad env.")
    config = unit.get("config") or {}
    return ContainerUnit(
        image=image.strip(),
        command=tuple(command),
        env={str(name): str(value) for name, value in env.items()},
        config=config if isinstance(config, dict) else {},
    )


def container_name(job_id: str) -> str:
    """The container's (or Kubernetes Job's) name: derived from the job id, so a redelivered
    task finds what it started before."""
    return f"{CONTAINER_NAME_PREFIX}{job_id}".lower()


def container_labels(process: Process, job_id: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "tep.job-id": job_id,
        "tep.process-id": process.identifier,
    }


def job_timeout_seconds(process: Process) -> int:
    """The unit's `jobTimeout`, else the description's (as the job was accepted with), else
    the platform default."""
    config = process.execution_unit.get("config") or {}
    for candidate in (config.get("jobTimeout"), process.description.get("jobTimeout")):
        if isinstance(candidate, int | float) and not isinstance(candidate, bool) and candidate > 0:
            return math.ceil(candidate)
    return int(settings.JOB_DEFAULT_TIMEOUT_SECONDS)


def quantity(number: Decimal) -> str:
    """A number as Docker and Kubernetes write it: `2`, `1.5`, never `2.0` or `1E+1`."""
    return f"{number.normalize():f}"


def outputs_folder(workdir: Path) -> Path:
    return workdir / OUTPUTS_FOLDER


def outputs_folder_prepare(workdir: Path) -> Path:
    """Create the folder the container writes its outputs to.

    Any user may write to it: images run as whatever user they were built with.
    """
    folder = outputs_folder(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)
    return folder


def input_files(inputs: dict[str, Any]) -> list[Path]:
    """Every staged file or folder among the input values, once each, in input order."""
    files: dict[Path, None] = {}
    for value in inputs.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Path):
                files[item] = None
    return list(files)


def _gathered(item: Any, *, within: Path, folder: Path, stem: str) -> Any:
    """The item, or a copy in `folder` of a file or folder that is not below `within`."""
    if not isinstance(item, Path) or item.is_relative_to(within):
        return item
    target = folder / f"{stem}{item.suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    if item.is_dir():
        shutil.copytree(item, target, dirs_exist_ok=True)
    else:
        shutil.copy2(item, target)
    return target


def inputs_gathered(inputs: dict[str, Any], *, within: Path, workdir: Path) -> dict[str, Any]:
    """The inputs, with every file that is not below `within` copied into the job folder's
    `inputs/` (named as staging names downloads: `<input>-<index><suffix>`)."""
    folder = workdir / GATHERED_INPUTS_FOLDER
    gathered: dict[str, Any] = {}
    for name, value in inputs.items():
        items = value if isinstance(value, list) else [value]
        copies = [
            _gathered(item, within=within, folder=folder, stem=f"{name}-{index}")
            for index, item in enumerate(items)
        ]
        gathered[name] = copies if isinstance(value, list) else copies[0]
    return gathered


def _json_default(value: Any) -> str:
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def container_environment(
    unit: ContainerUnit, *, job_id: str, workdir: Path, inputs: dict[str, Any]
) -> dict[str, str]:
    """The unit's own variables, then the platform's, which win."""
    return {
        **unit.env,
        "TEP_JOB_ID": job_id,
        "TEP_OUTPUT_DIR": str(outputs_folder(workdir)),
        "TEP_INPUTS": json.dumps(inputs, default=_json_default, separators=(",", ":")),
    }


def container_arguments(process: Process, inputs: dict[str, Any], workdir: Path) -> list[str]:
    """The container's arguments by the package's input binding; parameter files it asks for
    are written into the job folder."""
    try:
        return argument_vector(process.description.get("inputs", {}), inputs, workdir=workdir)
    except BindingError as error:
        message = f"The inputs cannot be passed to the container: {error}"
        raise ExecutionFailedError(message) from error


@dataclass(frozen=True)
class ContainerMount:
    """A file or folder of the worker that the container sees at the same path."""

    path: Path
    read_only: bool


def container_mounts(inputs: dict[str, Any], workdir: Path) -> tuple[ContainerMount, ...]:
    """The job folder read-write, then each input file outside it read-only."""
    return (
        ContainerMount(workdir, read_only=False),
        *(
            ContainerMount(path, read_only=True)
            for path in input_files(inputs)
            if not path.is_relative_to(workdir)
        ),
    )


@dataclass(frozen=True)
class ContainerResources:
    """What the unit asks for, in cores and GB; None where it asks nothing."""

    cpu_min: Decimal | None
    cpu_max: Decimal | None
    memory_min_gb: Decimal | None
    memory_max_gb: Decimal | None
    storage_temp_min_gb: Decimal | None


def container_resources(unit: ContainerUnit) -> ContainerResources:
    return ContainerResources(
        cpu_min=unit.number("cpuMin"),
        cpu_max=unit.number("cpuMax"),
        memory_min_gb=unit.number("memoryMin"),
        memory_max_gb=unit.number("memoryMax"),
        storage_temp_min_gb=unit.number("storageTempMin"),
    )


@dataclass(frozen=True)
class ContainerSpec:
    """The container that runs a job's docker unit, whichever runner starts it: each runner
    only translates this into its own API's words.

    `command`, when given, replaces the image's entrypoint; `arguments` replace its default
    arguments.
    """

    name: str
    labels: dict[str, str]
    image: str
    command: tuple[str, ...]
    arguments: tuple[str, ...]
    environment: dict[str, str]
    mounts: tuple[ContainerMount, ...]
    resources: ContainerResources
    timeout_seconds: int


def container_spec(process: Process, inputs: dict[str, Any], context: RunContext) -> ContainerSpec:
    """The container running the process's docker unit on these (staged) inputs.

    Parameter files the input binding asks for are written into the job folder. Raises
    ExecutionFailedError when the unit or the inputs cannot be run.
    """
    unit = container_unit(process)
    workdir = context.workdir
    return ContainerSpec(
        name=container_name(context.job_id),
        labels=container_labels(process, context.job_id),
        image=unit.image,
        command=unit.command,
        arguments=tuple(container_arguments(process, inputs, workdir)),
        environment=container_environment(
            unit, job_id=context.job_id, workdir=workdir, inputs=inputs
        ),
        mounts=container_mounts(inputs, workdir),
        resources=container_resources(unit),
        timeout_seconds=job_timeout_seconds(process),
    )


class StateReporter:
    """Reports what the container is doing when that changes, and looks in between whether
    the job was dismissed, so that the runner stops the container (the reporter raises).

    A reporter that can look without writing (a StopCheck, as the jobs' is) is asked every
    STOP_CHECK_SECONDS. Any other notices a dismissal only when it reports, so it is sent the
    unchanged state again every REPORT_EVERY_SECONDS.
    """

    def __init__(self, progress: ProgressReporter) -> None:
        self.progress = progress
        self.stop_check = progress.raise_if_stopped if isinstance(progress, StopCheck) else None
        self.last: tuple[int, str] | None = None
        self.checked_at = 0.0

    def __call__(self, percent: int, message: str) -> None:
        now = time.monotonic()
        if (percent, message) != self.last:
            self.progress(percent, message)
            self.last, self.checked_at = (percent, message), now
        elif now - self.checked_at >= self._seconds_between_checks():
            self._check_for_a_stop(percent, message)
            self.checked_at = now

    def _seconds_between_checks(self) -> float:
        return REPORT_EVERY_SECONDS if self.stop_check is None else STOP_CHECK_SECONDS

    def _check_for_a_stop(self, percent: int, message: str) -> None:
        if self.stop_check is None:
            self.progress(percent, message)
        else:
            self.stop_check()


def _schema_media_types(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    found = [
        schema[key]
        for key in ("contentMediaType", "contentType")
        if isinstance(schema.get(key), str)
    ]
    for member in schema.get("oneOf", []) + schema.get("anyOf", []):
        found += _schema_media_types(member)
    return found


def _declared_media_types(description: dict[str, Any]) -> list[str]:
    declared = _schema_media_types(description.get("schema"))
    for entry in description.get("formats", []):
        if isinstance(entry, dict):
            declared += [
                entry[key] for key in ("mediaType", "mimeType") if isinstance(entry.get(key), str)
            ]
    return list(dict.fromkeys(declared))


def output_media_type(description: dict[str, Any], path: Path) -> str:
    """The media type of an output file: the one the description declares; among several,
    the one its extension suggests; else the extension's (as for any file of the platform's
    storage); else octet-stream."""
    declared = _declared_media_types(description)
    guessed = media_type_of(path.name)
    if len(declared) == 1:
        return declared[0]
    for media_type in declared:
        if _essence(media_type) == _essence(guessed):
            return media_type
    return declared[0] if declared else guessed


def _essence(media_type: str) -> str:
    """`image/tiff` of `image/tiff; application=geotiff`."""
    return media_type.split(";")[0].strip().lower()


def _literal_outputs(
    path: Path, described: dict[str, Any], log: Callable[[str], None]
) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        message = f"The container's {path.name} is not valid JSON: {error}."
        raise ExecutionFailedError(message) from error
    if not isinstance(values, dict):
        raise ExecutionFailedError(f"The container's {path.name} must be a JSON object.")
    for output_id in values.keys() - described.keys():
        log(f"ignored {output_id!r} in {path.name}: the process has no such output")
    return {output_id: value for output_id, value in values.items() if output_id in described}


def _output_id(path: Path, described: dict[str, Any]) -> str | None:
    for candidate in (path.stem, path.name.partition(".")[0]):
        if candidate in described:
            return candidate
    return None


def outputs_collect(process: Process, workdir: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """The results the container left in the outputs folder on the worker's disk, in the
    description's order.

    A file wins over a value of `outputs.json` for the same output. Raises
    ExecutionFailedError when the container left none of the described outputs.
    """
    folder = outputs_folder(workdir)
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    files: dict[Path, int | None] = {
        path: None for path in entries if path.is_file() and path.name != OUTPUT_VALUES_FILE
    }
    return _outputs_found(process, folder, files, log)


def outputs_collect_stored(
    process: Process, workdir: Path, stored_sizes: dict[str, int], log: Callable[[str], None]
) -> dict[str, Any]:
    """The results the container left in the outputs folder as the object store holds it:
    `stored_sizes` gives the size of each of its files by name.

    The files stay in the store (each OutputFile has its `stored_size`); only `outputs.json`
    is read, from the worker's disk, where the caller put it. Otherwise as `outputs_collect`.
    """
    folder = outputs_folder(workdir)
    files: dict[Path, int | None] = {
        folder / name: size
        for name, size in sorted(stored_sizes.items())
        if name != OUTPUT_VALUES_FILE
    }
    return _outputs_found(process, folder, files, log)


def _outputs_found(
    process: Process, folder: Path, files: dict[Path, int | None], log: Callable[[str], None]
) -> dict[str, Any]:
    """The outputs among `files` (in name order, each with its stored size or None) and the
    values of `outputs.json` in `folder`."""
    described: dict[str, Any] = process.description.get("outputs", {})
    found = _literal_outputs(folder / OUTPUT_VALUES_FILE, described, log)
    chosen: dict[str, Path] = {}
    for path in files:
        output_id = _output_id(path, described)
        if output_id is None:
            log(f"ignored {path.name}: the process has no output of that name")
        elif output_id in chosen:
            log(f"ignored {path.name}: output {output_id!r} is {chosen[output_id].name}")
        else:
            chosen[output_id] = path
    for output_id, path in chosen.items():
        media_type = output_media_type(described[output_id], path)
        found[output_id] = OutputFile(path, media_type, stored_size=files[path])
    if described and not found:
        raise ExecutionFailedError(
            f"The container wrote none of its outputs ({', '.join(described)}) "
            f"into {OUTPUTS_FOLDER}/."
        )
    return {output_id: found[output_id] for output_id in described if output_id in found}
