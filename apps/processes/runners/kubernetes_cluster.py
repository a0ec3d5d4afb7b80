"""Talking to the Kubernetes API, and following a Job there to its end."""

import json
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from apps.processes.runners.base import ExecutionFailedError, RunContext
from apps.processes.runners.container import StateReporter

logger = logging.getLogger(__name__)

UNIT_CONTAINER = "unit"
REQUEST_TIMEOUT = (5, 30)
DEADLINE_GRACE_SECONDS = 120
MAX_CONSECUTIVE_API_ERRORS = 5
# A log read starts this long before the last line forwarded: the worker's clock and the
# node's may differ a little, and the lines forwarded already are skipped anyway.
LOG_OVERLAP_SECONDS = 5
LOG_TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)")
# Waiting reasons a pod does not recover from; others (ImagePullBackOff) may be passing.
FATAL_WAITING_REASONS = frozenset(
    {"InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError"}
)


def kubernetes_api_client() -> client.ApiClient:
    """An API client: KUBERNETES_API_URL with its token if set, else the pod's service
    account, else ~/.kube/config."""
    configuration = client.Configuration()
    if settings.KUBERNETES_API_URL:
        configuration.host = settings.KUBERNETES_API_URL.rstrip("/")
        configuration.verify_ssl = settings.KUBERNETES_VERIFY_SSL
        if settings.KUBERNETES_API_TOKEN:
            # Client 36 looks the token up under its security scheme's name.
            configuration.api_key = {"BearerToken": settings.KUBERNETES_API_TOKEN}
            configuration.api_key_prefix = {"BearerToken": "Bearer"}
    else:
        try:
            config.load_incluster_config(client_configuration=configuration)
        except config.ConfigException:
            config.load_kube_config(client_configuration=configuration)
    return client.ApiClient(configuration)


def api_error_text(error: Exception) -> str:
    """One line about a failed API call (an ApiException's text carries headers and body)."""
    if not isinstance(error, ApiException):
        return str(error)
    try:
        message = json.loads(error.body or "{}").get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return f"HTTP {error.status} {error.reason}" + (f": {message}" if message else "")


def is_passing_error(error: Exception) -> bool:
    """An API failure worth retrying: no answer, overload or a server error."""
    if isinstance(error, ApiException):
        return error.status in (429, 500, 502, 503, 504)
    return isinstance(error, HTTPError)


@dataclass(frozen=True)
class Cluster:
    """The few calls the runner makes, in KUBERNETES_NAMESPACE."""

    batch: client.BatchV1Api
    core: client.CoreV1Api
    namespace: str

    @classmethod
    def of(cls, api: client.ApiClient) -> "Cluster":
        return cls(
            batch=client.BatchV1Api(api),
            core=client.CoreV1Api(api),
            namespace=settings.KUBERNETES_NAMESPACE,
        )

    def job_create(self, manifest: client.V1Job) -> bool:
        """Create the Job; False when it already exists (a redelivered task)."""
        try:
            self.batch.create_namespaced_job(
                self.namespace, manifest, _request_timeout=REQUEST_TIMEOUT
            )
        except ApiException as error:
            if error.status == 409:
                return False
            raise
        return True

    def job_status(self, name: str) -> client.V1Job | None:
        """The Job with its status; None when it is gone."""
        try:
            return self.batch.read_namespaced_job_status(
                name, self.namespace, _request_timeout=REQUEST_TIMEOUT
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    def job_pod(self, name: str) -> client.V1Pod | None:
        """The newest pod of the Job (with backoffLimit 0 there is one), if any."""
        pods = self.core.list_namespaced_pod(
            self.namespace, label_selector=f"job-name={name}", _request_timeout=REQUEST_TIMEOUT
        ).items
        return max(pods, key=_created, default=None)

    def pod_log(self, pod_name: str, *, since_seconds: int | None) -> str | None:
        """The unit's log lines of the last `since_seconds` (None: all so far), each after the
        time it was written; None while the pod has none to give."""
        try:
            # Raw bytes: the client would try to parse a log that looks like JSON.
            response = self.core.read_namespaced_pod_log(
                pod_name,
                self.namespace,
                container=UNIT_CONTAINER,
                timestamps=True,
                since_seconds=since_seconds,
                _preload_content=False,
                _request_timeout=REQUEST_TIMEOUT,
            )
        except ApiException as error:
            if error.status in (400, 404):
                return None
            raise
        try:
            return bytes(response.data).decode("utf-8", errors="replace")
        finally:
            response.release_conn()

    def job_delete(self, name: str) -> bool:
        """Delete the Job and, in the background, its pods; False when it was gone."""
        try:
            self.batch.delete_namespaced_job(
                name,
                self.namespace,
                propagation_policy="Background",
                _request_timeout=REQUEST_TIMEOUT,
            )
        except ApiException as error:
            if error.status == 404:
                return False
            raise
        return True

    def job_names(self, job_id: str) -> list[str]:
        jobs = self.batch.list_namespaced_job(
            self.namespace, label_selector=f"tep.job-id={job_id}", _request_timeout=REQUEST_TIMEOUT
        ).items
        return [job.metadata.name for job in jobs]


def _created(pod: client.V1Pod) -> str:
    stamp = pod.metadata.creation_timestamp
    return stamp.isoformat() if stamp else ""


def _container_statuses(pod: client.V1Pod | None) -> list[client.V1ContainerStatus]:
    if pod is None or pod.status is None:
        return []
    return [
        *(pod.status.init_container_statuses or []),
        *(pod.status.container_statuses or []),
    ]


def _unit_status(pod: client.V1Pod | None) -> client.V1ContainerStatus | None:
    statuses = _container_statuses(pod)
    return next((status for status in statuses if status.name == UNIT_CONTAINER), None)


def _failed_termination(
    pod: client.V1Pod | None,
) -> tuple[str, client.V1ContainerStateTerminated] | None:
    """The container that ended in failure (the unit first, else a staging step)."""
    statuses = sorted(_container_statuses(pod), key=lambda status: status.name != UNIT_CONTAINER)
    for status in statuses:
        terminated = status.state.terminated if status.state else None
        if terminated and terminated.exit_code != 0:
            return status.name, terminated
    return None


def _finished_condition(job: client.V1Job) -> client.V1JobCondition | None:
    """The Complete or Failed condition once the Job has one (not the earlier
    SuccessCriteriaMet / FailureTarget: the pod may still be terminating)."""
    for condition in (job.status and job.status.conditions) or []:
        if condition.type in ("Complete", "Failed") and condition.status == "True":
            return condition
    return None


def _unit_state(pod: client.V1Pod | None) -> client.V1ContainerState | None:
    status = _unit_status(pod)
    return status.state if status else None


def _with_detail(summary: str, detail: str | None) -> str:
    detail = (detail or "").strip()
    return f"{summary}: {detail}" if detail else f"{summary}."


def _waiting_failure(pod: client.V1Pod | None) -> str | None:
    state = _unit_state(pod)
    waiting = state.waiting if state else None
    if waiting and waiting.reason in FATAL_WAITING_REASONS:
        return _with_detail(f"The container cannot start ({waiting.reason})", waiting.message)
    return None


def _state(name: str, pod: client.V1Pod | None) -> tuple[int, str]:
    """Progress and message for what the Job is doing."""
    if pod is None:
        return 5, f"kubernetes job {name}: waiting for its pod"
    pod_name = pod.metadata.name
    state = _unit_state(pod)
    if state and state.running:
        return 10, f"pod {pod_name}: running"
    if state and state.waiting:
        detail = f": {state.waiting.message}" if state.waiting.message else ""
        return 5, f"pod {pod_name}: waiting ({state.waiting.reason}){detail}"
    return 5, f"pod {pod_name}: {pod.status.phase if pod.status else 'Pending'}"


def _failure(condition: client.V1JobCondition, pod: client.V1Pod | None, timeout: int) -> str:
    """What went wrong, for the user: the deadline, else a container's end, else the Job's."""
    if condition.reason == "DeadlineExceeded":
        return f"The job exceeded its deadline of {timeout} s."
    failed = _failed_termination(pod)
    if failed is not None:
        name, terminated = failed
        what = "The container" if name == UNIT_CONTAINER else f"The {name} step"
        return _with_detail(
            f"{what} failed ({terminated.reason or 'Error'}, exit code {terminated.exit_code})",
            terminated.message,
        )
    return _with_detail(f"The Kubernetes job failed ({condition.reason})", condition.message)


def _nanoseconds(timestamp: str) -> int | None:
    """An RFC 3339 time (the API's have nine decimals) in nanoseconds since the epoch."""
    match = LOG_TIMESTAMP.fullmatch(timestamp)
    if match is None:
        return None
    seconds, decimals, zone = match.groups()
    moment = datetime.fromisoformat(seconds + ("+00:00" if zone == "Z" else zone))
    return int(moment.timestamp()) * 10**9 + int((decimals or "").ljust(9, "0"))


def _stamped(record: str) -> tuple[int | None, str]:
    """A line of a log read with timestamps: when it was written, in nanoseconds, and its
    text; (None, the record) when it has no time."""
    timestamp, _, line = record.partition(" ")
    nanoseconds = _nanoseconds(timestamp)
    return (None, record) if nanoseconds is None else (nanoseconds, line)


def _stamped_lines(text: str, *, is_final: bool) -> list[tuple[int | None, str]]:
    """The lines of a log read with timestamps; an unfinished last line only when the log is
    final."""
    records = text.split("\n")
    unfinished = records.pop()
    if is_final and unfinished:
        records.append(unfinished)
    return [_stamped(record) for record in records]


class PodLog:
    """Forwards the unit's log lines to the run log, each once.

    Each read asks only for the lines written since a little before the last one forwarded
    (`sinceSeconds`), with the time each was written. A line is known by that time and how
    many lines before it in the read have the same time; those up to the last one forwarded
    are skipped.
    """

    def __init__(self, cluster: Cluster, log: Callable[[str], None]) -> None:
        self.cluster = cluster
        self.log = log
        self.pod_name: str | None = None
        self.last_forwarded: tuple[int, int] | None = None

    def forward(self, pod: client.V1Pod | None, *, is_final: bool) -> None:
        """Forward new complete lines; at the end, also an unfinished last line."""
        state = _unit_state(pod)
        if pod is None or state is None or not (state.running or state.terminated):
            return
        if pod.metadata.name != self.pod_name:
            self.pod_name, self.last_forwarded = pod.metadata.name, None
        text = self.cluster.pod_log(pod.metadata.name, since_seconds=self._since_seconds())
        if text is not None:
            self._forward_new_lines(text, is_final=is_final)

    def _forward_new_lines(self, text: str, *, is_final: bool) -> None:
        occurrences: Counter[int] = Counter()
        for nanoseconds, line in _stamped_lines(text, is_final=is_final):
            if nanoseconds is not None:
                occurrences[nanoseconds] += 1
                key = (nanoseconds, occurrences[nanoseconds])
                if self.last_forwarded is not None and key <= self.last_forwarded:
                    continue
                self.last_forwarded = key
            self._log_line(line)

    def _log_line(self, line: str) -> None:
        """Into the run log, as lines: a progress bar's carriage returns end lines too."""
        for part in line.splitlines() or [""]:
            self.log(part)

    def _since_seconds(self) -> int | None:
        """How far back to read: to a little before the last line forwarded; None (from the
        start) before the first."""
        if self.last_forwarded is None:
            return None
        elapsed = time.time() - self.last_forwarded[0] / 10**9
        return max(0, math.ceil(elapsed)) + LOG_OVERLAP_SECONDS


@dataclass(frozen=True)
class Ending:
    """How a Job ended: `failure` says what went wrong, None when it succeeded."""

    failure: str | None = None


@dataclass
class JobWatch:
    """Follows one Kubernetes Job to its end."""

    cluster: Cluster
    name: str
    timeout: int
    context: RunContext
    log: Callable[[str], None]

    def follow(self) -> Ending:
        """Poll until the Job ends, forwarding its log.

        Every poll goes through the state reporter, which notices a dismissal (it raises).
        Passing API failures are retried a few times. Raises
        ExecutionFailedError when the Job vanishes or the API keeps failing.
        """
        report = StateReporter(self.context.progress)
        pod_log = PodLog(self.cluster, self.log)
        give_up_at = time.monotonic() + self.timeout + DEADLINE_GRACE_SECONDS
        errors = 0
        while True:
            try:
                ending = self._poll(report, pod_log)
                errors = 0
            except (ApiException, HTTPError) as error:
                errors += 1
                if not is_passing_error(error) or errors > MAX_CONSECUTIVE_API_ERRORS:
                    raise ExecutionFailedError(
                        f"The Kubernetes API failed while following the job: "
                        f"{api_error_text(error)}"
                    ) from error
                self.log(f"kubernetes API error, retrying: {api_error_text(error)}")
                ending = None
            if ending is not None:
                return ending
            if time.monotonic() > give_up_at:
                raise ExecutionFailedError(
                    f"The Kubernetes job {self.name} did not end within its deadline of "
                    f"{self.timeout} s."
                )
            time.sleep(settings.KUBERNETES_POLL_SECONDS)

    def _poll(self, report: StateReporter, pod_log: PodLog) -> Ending | None:
        """One look at the Job and its pod; None while it runs."""
        job = self.cluster.job_status(self.name)
        if job is None:
            # Deleted by a dismissal (the report raises then) or by someone else.
            self.context.progress(90, f"kubernetes job {self.name} is gone")
            raise ExecutionFailedError(
                f"The Kubernetes job {self.name} was deleted before it ended."
            )
        pod = self.cluster.job_pod(self.name)
        condition = _finished_condition(job)
        pod_log.forward(pod, is_final=condition is not None)
        if condition is not None:
            report(90, f"kubernetes job {self.name}: {condition.type.lower()}")
            if condition.type == "Complete":
                return Ending()
            return Ending(failure=_failure(condition, pod, self.timeout))
        waiting_failure = _waiting_failure(pod)
        if waiting_failure:
            return Ending(failure=waiting_failure)
        report(*_state(self.name, pod))
        return None
