"""A local stand-in for the Kubernetes API server, for tests of the Kubernetes runner.

It speaks the REST paths the official client uses for Jobs and their pods, keeps every Job
manifest it is given (as JSON), and plays each Job's pod by a script chosen by the image:

    standin.behave("eoc/ndvi:latest", succeed(after_polls=2, writes={"raster.tif": b"..."}))
    standin.behave("tep/bad:1", fail(reason="Error", message="no band 13", exit_code=2))
    standin.behave("tep/slow:1", deadline())   # or hang()

Time moves with the runner's polls: each read of a Job counts as one poll. Pending at
creation, the pod runs from the first poll and ends when its script says. Like the real
control plane, a Job still running after `activeDeadlineSeconds` fails (DeadlineExceeded)
and its pod is removed. "The container" writes its outputs into `TEP_OUTPUT_DIR` from the
manifest, the path the runner mounts for it, as the real image would.

A pod staging through the object store (an emptyDir at STORAGE_ROOT, `stage-in` and
`stage-out` beside the unit) gets a folder of its own in place of the emptyDir, and its
staging steps are played as their scripts would run `aws s3 cp`: from their variables and
arguments, with the credentials of the Secret they name (`standin.secrets`), against the
object store the variables point to. The worker's disk sees nothing of it.

A pod's log keeps each line with the moment it was written, so a read may ask, as the real
API allows, for `timestamps` (each line after its RFC 3339 time, nine decimals) and
`sinceSeconds` (only the lines of the last so many seconds).
"""

import json
import random
import string
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config

from tests.fixtures import serving_in_thread

UNIT_CONTAINER = "unit"
STAGE_IN = "stage-in"
STAGE_OUT = "stage-out"


@dataclass(frozen=True)
class PodDisk:
    """An emptyDir: mounted at `mount_path` in the pod, kept by the stand-in in `folder`."""

    mount_path: Path
    folder: Path

    def path(self, pod_path: str | Path) -> Path:
        return self.folder / Path(pod_path).relative_to(self.mount_path)


@dataclass(frozen=True)
class SimulatedContainer:
    """What the unit container was given, for a script that plays it."""

    command: list[str]
    args: list[str]
    env: dict[str, str]
    disk: PodDisk | None = None

    def path(self, pod_path: str | Path) -> Path:
        """Where the file the container sees at `pod_path` is: on the pod's emptyDir, or on
        the storage claim, which the worker sees at the same path."""
        return Path(pod_path) if self.disk is None else self.disk.path(pod_path)

    @property
    def output_dir(self) -> Path:
        return self.path(self.env["TEP_OUTPUT_DIR"])


@dataclass(frozen=True)
class PodScript:
    """How a pod behaves. `ending` is "succeed", "fail" or None (runs until its deadline
    or until deleted)."""

    ending: str | None
    after_polls: int = 2
    log: str = ""
    log_each_poll: Callable[[int], str] | None = None
    writes: dict[str, bytes] = field(default_factory=dict)
    run: Callable[[SimulatedContainer], None] | None = None
    reason: str = "Completed"
    message: str = ""
    exit_code: int = 0


def succeed(
    *,
    after_polls: int = 2,
    writes: dict[str, bytes] | None = None,
    log: str = "",
    log_each_poll: Callable[[int], str] | None = None,
    run: Callable[[SimulatedContainer], None] | None = None,
) -> PodScript:
    """The container logs `log` as it starts and `log_each_poll(poll)` at each poll while it
    runs, writes `writes` into its output folder, runs `run`, and exits 0."""
    return PodScript("succeed", after_polls, log, log_each_poll, writes or {}, run)


def fail(
    *,
    reason: str = "Error",
    message: str = "",
    exit_code: int = 1,
    after_polls: int = 1,
    log: str = "",
) -> PodScript:
    """The container ends with `exit_code`; its termination says `reason` and `message`."""
    return PodScript("fail", after_polls, log, reason=reason, message=message, exit_code=exit_code)


def deadline(*, log: str = "") -> PodScript:
    """The container runs until the Job's activeDeadlineSeconds have passed."""
    return PodScript(None, log=log)


def hang(*, log: str = "") -> PodScript:
    """The container runs until the Job is deleted (or, as anything, its deadline)."""
    return PodScript(None, log=log)


def _timestamp() -> str:
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _log_timestamp(nanoseconds: int) -> str:
    """The time the API puts before a log line: RFC 3339 with nine decimals."""
    seconds, fraction = divmod(nanoseconds, 10**9)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction:09d}Z"


def _random_suffix() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=5))


def _container_of(pod_spec: dict[str, Any], name: str) -> dict[str, Any]:
    containers = pod_spec.get("initContainers", []) + pod_spec["containers"]
    return next(container for container in containers if container["name"] == name)


def _environment(container: dict[str, Any]) -> dict[str, str]:
    return {variable["name"]: variable.get("value", "") for variable in container.get("env", [])}


def _bucket_and_key(url: str) -> tuple[str, str]:
    """`s3://bucket/some/key` as ("bucket", "some/key")."""
    parts = urlsplit(url)
    return parts.netloc, parts.path.removeprefix("/")


class StagingStep:
    """A `stage-in` or `stage-out` container, doing what its `aws s3 cp` commands do."""

    def __init__(self, container: dict[str, Any], disk: PodDisk, secrets: dict[str, Any]):
        self.env = _environment(container)
        for source in container.get("envFrom", []):
            self.env.update(secrets[source["secretRef"]["name"]])
        self.args = list(container.get("args") or [])
        self.disk = disk
        self.store = boto3.client(
            "s3",
            endpoint_url=self.env.get("AWS_ENDPOINT_URL"),
            region_name=self.env["AWS_DEFAULT_REGION"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            config=Config(s3={"addressing_style": "path"}),
        )

    def stage_in(self) -> None:
        """The job folder, then each key among the arguments to its path below the root."""
        self._folder_download(self.env["SOURCE"], self.disk.path(self.env["TARGET"]))
        bucket, prefix = _bucket_and_key(self.env["STORE"])
        for key in self.args:
            target = self.disk.path(Path(self.env["ROOT"]) / key)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.store.download_file(bucket, prefix + key, str(target))
        self.disk.path(self.env["TEP_OUTPUT_DIR"]).mkdir(parents=True, exist_ok=True)

    def stage_out(self) -> None:
        bucket, prefix = _bucket_and_key(self.env["TARGET"])
        folder = self.disk.path(self.env["TEP_OUTPUT_DIR"])
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                key = prefix + path.relative_to(folder).as_posix()
                self.store.upload_file(str(path), bucket, key)

    def _folder_download(self, url: str, target: Path) -> None:
        bucket, prefix = _bucket_and_key(url)
        pages = self.store.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in (item for page in pages for item in page.get("Contents", [])):
            path = target / item["Key"].removeprefix(prefix)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.store.download_file(bucket, item["Key"], str(path))


@dataclass
class SimulatedJob:
    """A Job the stand-in was given, with its one pod."""

    namespace: str
    manifest: dict[str, Any]
    script: PodScript
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    disk: PodDisk | None = None
    created_at: float = field(default_factory=time.monotonic)
    created: str = field(default_factory=_timestamp)
    pod_name: str = ""
    polls: int = 0
    state: str = "pending"  # pending, running, succeeded, failed, deadline
    log_lines: list[tuple[int, str]] = field(default_factory=list)  # (written at, in ns; line)

    def __post_init__(self) -> None:
        self.pod_name = f"{self.name}-{_random_suffix()}"

    @property
    def name(self) -> str:
        return str(self.manifest["metadata"]["name"])

    @property
    def pod_spec(self) -> dict[str, Any]:
        return dict(self.manifest["spec"]["template"]["spec"])

    def unit(self) -> dict[str, Any]:
        return _container_of(self.pod_spec, UNIT_CONTAINER)

    def staging_step(self, name: str, disk: PodDisk) -> StagingStep:
        return StagingStep(_container_of(self.pod_spec, name), disk, self.secrets)

    def advance(self) -> None:
        """One poll: the pod starts, then ends as its script says."""
        self.polls += 1
        if self.state in ("succeeded", "failed", "deadline"):
            return
        limit = self.manifest["spec"].get("activeDeadlineSeconds")
        if limit is not None and time.monotonic() - self.created_at >= limit:
            self.state = "deadline"
            return
        if self.state == "pending":
            self._log_write(self.script.log)
        self.state = "running"
        if self.script.log_each_poll is not None:
            self._log_write(self.script.log_each_poll(self.polls))
        if self.script.ending is not None and self.polls >= self.script.after_polls:
            if self.script.ending == "succeed":
                self._play_pod()
            self.state = "succeeded" if self.script.ending == "succeed" else "failed"

    def _log_write(self, text: str) -> None:
        written_at = time.time_ns()
        self.log_lines += [(written_at, line) for line in text.splitlines(keepends=True)]

    def _play_pod(self) -> None:
        if self.disk is None:
            self._play_container()
            return
        self.staging_step(STAGE_IN, self.disk).stage_in()
        self._play_container()
        self.staging_step(STAGE_OUT, self.disk).stage_out()

    def _play_container(self) -> None:
        unit = self.unit()
        container = SimulatedContainer(
            command=list(unit.get("command") or []),
            args=list(unit.get("args") or []),
            env=_environment(unit),
            disk=self.disk,
        )
        for name, content in self.script.writes.items():
            (container.output_dir / name).write_bytes(content)
        if self.script.run is not None:
            self.script.run(container)

    def job_document(self) -> dict[str, Any]:
        document = json.loads(json.dumps(self.manifest))
        document.setdefault("apiVersion", "batch/v1")
        document.setdefault("kind", "Job")
        document["metadata"].update(
            namespace=self.namespace, uid=f"uid-{self.name}", creationTimestamp=self.created
        )
        document["status"] = self._job_status()
        return document

    def _job_status(self) -> dict[str, Any]:
        if self.state in ("pending", "running"):
            return {"active": 1, "startTime": self.created}
        if self.state == "succeeded":
            conditions = [("SuccessCriteriaMet", "CompletionsReached", "")]
            conditions.append(("Complete", "CompletionsReached", ""))
            counts = {"succeeded": 1}
        elif self.state == "failed":
            conditions = [
                ("FailureTarget", "BackoffLimitExceeded", "Job has reached the backoff limit"),
                ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
            ]
            counts = {"failed": 1}
        else:
            message = "Job was active longer than specified deadline"
            conditions = [("Failed", "DeadlineExceeded", message)]
            counts = {"failed": 1}
        return {
            **counts,
            "startTime": self.created,
            "conditions": [
                {
                    "type": kind,
                    "status": "True",
                    "reason": reason,
                    "message": message,
                    "lastTransitionTime": _timestamp(),
                }
                for kind, reason, message in conditions
            ],
        }

    def has_pod(self) -> bool:
        """A Job past its deadline has its pod removed, as the Job controller does."""
        return self.state != "deadline"

    def pod_document(self) -> dict[str, Any]:
        phase = {
            "pending": "Pending",
            "running": "Running",
            "succeeded": "Succeeded",
            "failed": "Failed",
        }[self.state]
        unit_status = {
            "name": UNIT_CONTAINER,
            "image": self.unit()["image"],
            "imageID": "",
            "ready": self.state == "running",
            "restartCount": 0,
            "started": self.state == "running",
            "state": self._unit_state(),
        }
        in_init = any(c["name"] == UNIT_CONTAINER for c in self.pod_spec.get("initContainers", []))
        statuses_key = "initContainerStatuses" if in_init else "containerStatuses"
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": self.pod_name,
                "namespace": self.namespace,
                "labels": {"job-name": self.name, "batch.kubernetes.io/job-name": self.name},
                "creationTimestamp": self.created,
            },
            "spec": self.pod_spec,
            "status": {"phase": phase, statuses_key: [unit_status]},
        }

    def _unit_state(self) -> dict[str, Any]:
        if self.state == "pending":
            return {"waiting": {"reason": "ContainerCreating"}}
        if self.state == "running":
            return {"running": {"startedAt": self.created}}
        succeeded = self.state == "succeeded"
        return {
            "terminated": {
                "exitCode": 0 if succeeded else self.script.exit_code,
                "reason": "Completed" if succeeded else self.script.reason,
                "message": "" if succeeded else self.script.message,
                "startedAt": self.created,
                "finishedAt": _timestamp(),
            }
        }

    def log_text(self, *, timestamps: bool, since_seconds: int | None) -> str | None:
        """The container's log, or its lines of the last `since_seconds`; None while it has
        not started."""
        if self.state == "pending":
            return None
        since = 0 if since_seconds is None else time.time_ns() - since_seconds * 10**9
        return "".join(
            (f"{_log_timestamp(written_at)} " if timestamps else "") + line
            for written_at, line in self.log_lines
            if written_at >= since
        )

    def matches(self, selector: str) -> bool:
        labels = self.manifest["metadata"].get("labels", {})
        return all(
            labels.get(key) == value
            for key, _, value in (term.partition("=") for term in selector.split(",") if term)
        )


def _is_true(value: str) -> bool:
    """A boolean query parameter, read as the API server reads one (Go's ParseBool)."""
    return value in ("1", "t", "T", "TRUE", "true", "True")


def _status_document(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure" if code >= 400 else "Success",
        "message": message,
        "reason": reason,
        "code": code,
    }


class KubernetesStandin:
    """The stand-in's state: Jobs by (namespace, name), scripts by image, what it was asked."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self.secrets: dict[str, dict[str, str]] = {}
        self.disks: Path | None = None
        self.lock = threading.Lock()
        self.jobs: dict[tuple[str, str], SimulatedJob] = {}
        self.scripts: dict[str, PodScript] = {}
        self.created: list[dict[str, Any]] = []
        self.deleted: list[tuple[str, dict[str, list[str]]]] = []
        self.requests: list[tuple[str, str]] = []
        self.log_reads: list[dict[str, list[str]]] = []

    def behave(self, image: str, script: PodScript) -> None:
        """Play pods of `image` by `script`; an image without one hangs."""
        self.scripts[image] = script

    def job(self, name: str) -> SimulatedJob | None:
        with self.lock:
            return next((job for job in self.jobs.values() if job.name == name), None)

    @contextmanager
    def running(self) -> Iterator["KubernetesStandin"]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        with serving_in_thread(server), tempfile.TemporaryDirectory(prefix="pods-") as disks:
            self.disks = Path(disks)
            yield self

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        """Answer one request: (HTTP status, JSON document or log text)."""
        self.requests.append((method, path))
        parts = path.strip("/").split("/")
        with self.lock:
            if parts[:3] == ["apis", "batch", "v1"] and len(parts) >= 6 and parts[5] == "jobs":
                return self._jobs(method, parts[4], parts[6:], query, body)
            if parts[:2] == ["api", "v1"] and len(parts) >= 5 and parts[4] == "pods":
                return self._pods(method, parts[3], parts[5:], query)
        return 404, _status_document(404, "NotFound", f"the server could not find {path}")

    def _jobs(
        self,
        method: str,
        namespace: str,
        rest: list[str],
        query: dict[str, list[str]],
        body: Any,
    ) -> tuple[int, Any]:
        if not rest and method == "POST":
            return self._job_create(namespace, body)
        if not rest and method == "GET":
            selector = query.get("labelSelector", [""])[0]
            items = [
                job.job_document()
                for (job_namespace, _), job in self.jobs.items()
                if job_namespace == namespace and job.matches(selector)
            ]
            return 200, {
                "kind": "JobList",
                "apiVersion": "batch/v1",
                "metadata": {},
                "items": items,
            }
        job = self.jobs.get((namespace, rest[0])) if rest else None
        if job is None:
            name = rest[0] if rest else ""
            return 404, _status_document(404, "NotFound", f'jobs.batch "{name}" not found')
        if method == "GET":
            job.advance()
            return 200, job.job_document()
        if method == "DELETE":
            del self.jobs[(namespace, job.name)]
            self.deleted.append((job.name, query))
            return 200, {
                **_status_document(200, "", ""),
                "details": {"name": job.name, "group": "batch", "kind": "jobs"},
            }
        return 405, _status_document(405, "MethodNotAllowed", f"{method} is not allowed")

    def _job_create(self, namespace: str, manifest: dict[str, Any]) -> tuple[int, Any]:
        name = manifest["metadata"]["name"]
        if (namespace, name) in self.jobs:
            return 409, _status_document(
                409, "AlreadyExists", f'jobs.batch "{name}" already exists'
            )
        self.created.append(manifest)
        pod_spec = manifest["spec"]["template"]["spec"]
        script = self.scripts.get(_container_of(pod_spec, UNIT_CONTAINER)["image"], hang())
        job = SimulatedJob(namespace, manifest, script, self.secrets, self._disk(pod_spec, name))
        self.jobs[(namespace, name)] = job
        return 201, job.job_document()

    def _disk(self, pod_spec: dict[str, Any], name: str) -> PodDisk | None:
        """A folder of its own for a pod whose unit works on an emptyDir."""
        empty_dirs = {volume["name"] for volume in pod_spec["volumes"] if "emptyDir" in volume}
        mounts = _container_of(pod_spec, UNIT_CONTAINER).get("volumeMounts", [])
        mount = next((mount for mount in mounts if mount["name"] in empty_dirs), None)
        if mount is None or self.disks is None:
            return None
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.disks))
        return PodDisk(Path(mount["mountPath"]), folder)

    def _pods(
        self, method: str, namespace: str, rest: list[str], query: dict[str, list[str]]
    ) -> tuple[int, Any]:
        pods = {
            job.pod_name: job
            for (job_namespace, _), job in self.jobs.items()
            if job_namespace == namespace and job.has_pod()
        }
        if not rest and method == "GET":
            selector = query.get("labelSelector", [""])[0]
            wanted = dict(term.partition("=")[::2] for term in selector.split(",") if term)
            items = [
                job.pod_document()
                for job in pods.values()
                if wanted.get("job-name") in (None, job.name)
            ]
            return 200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}
        job = pods.get(rest[0]) if rest else None
        if job is None or rest[1:] != ["log"] or method != "GET":
            return 404, _status_document(
                404, "NotFound", f'pods "{rest[0] if rest else ""}" not found'
            )
        self.log_reads.append(query)
        since = query.get("sinceSeconds")
        since_seconds = int(since[0]) if since else None
        if since_seconds is not None and since_seconds < 1:
            message = (
                f'PodLogOptions "{job.pod_name}" is invalid: sinceSeconds: must be greater than 0'
            )
            return 422, _status_document(422, "Invalid", message)
        text = job.log_text(
            timestamps=_is_true(query.get("timestamps", ["false"])[0]),
            since_seconds=since_seconds,
        )
        if text is None:
            message = f'container "{UNIT_CONTAINER}" in pod "{job.pod_name}" is waiting to start'
            return 400, _status_document(400, "BadRequest", message)
        return 200, text


def _handler_for(standin: KubernetesStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_DELETE(self) -> None:
            self._answer()

        def _answer(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {standin.token}":
                self._send(401, _status_document(401, "Unauthorized", "Unauthorized"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            parts = urlsplit(self.path)
            status, document = standin.handle(self.command, parts.path, parse_qs(parts.query), body)
            self._send(status, document)

        def _send(self, status: int, document: Any) -> None:
            is_text = isinstance(document, str)
            payload = document.encode() if is_text else json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if is_text else "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests assert on `standin.requests` instead."""

    return Handler
