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

A pod's log keeps each line with the moment it was written, so a read may ask, as the real
API allows, for `timestamps` (each line after its RFC 3339 time, nine decimals) and
`sinceSeconds` (only the lines of the last so many seconds).
"""

import json
import random
import string
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

from tests.fixtures import serving_in_thread

UNIT_CONTAINER = "unit"


@dataclass(frozen=True)
class SimulatedContainer:
    """What the unit container was given, for a script that plays it."""

    command: list[str]
    args: list[str]
    env: dict[str, str]

    @property
    def output_dir(self) -> Path:
        return Path(self.env["TEP_OUTPUT_DIR"])


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


@dataclass
class SimulatedJob:
    """A Job the stand-in was given, with its one pod."""

    namespace: str
    manifest: dict[str, Any]
    script: PodScript
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
        containers = self.pod_spec.get("initContainers", []) + self.pod_spec["containers"]
        return next(container for container in containers if container["name"] == UNIT_CONTAINER)

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
                self._play_container()
            self.state = "succeeded" if self.script.ending == "succeed" else "failed"

    def _log_write(self, text: str) -> None:
        written_at = time.time_ns()
        self.log_lines += [(written_at, line) for line in text.splitlines(keepends=True)]

    def _play_container(self) -> None:
        unit = self.unit()
        container = SimulatedContainer(
            command=list(unit.get("command") or []),
            args=list(unit.get("args") or []),
            env={variable["name"]: variable.get("value", "") for variable in unit.get("env", [])},
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
        with serving_in_thread(server):
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
        image = next(
            container["image"]
            for container in manifest["spec"]["template"]["spec"].get("initContainers", [])
            + manifest["spec"]["template"]["spec"]["containers"]
            if container["name"] == UNIT_CONTAINER
        )
        job = SimulatedJob(namespace, manifest, self.scripts.get(image, hang()))
        self.jobs[(namespace, name)] = job
        return 201, job.job_document()

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
