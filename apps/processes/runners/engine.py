"""Runs `docker` execution units with a local container engine (docker or podman CLI).

For a platform without Kubernetes: the worker starts the container itself with
settings.CONTAINER_ENGINE, names it `tep-job-<job id>` (so a dismissal can stop it from the
web process with `engine_container_stop`), forwards its output to the run log and waits for
it. The container sees the job folder (read-write) and each input file (read-only) at the
same absolute paths as the worker, as a Kubernetes pod does.
"""

import logging
import queue
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import IO, Any, cast

from django.conf import settings

from apps.processes.models import Process
from apps.processes.runners.base import ExecutionFailedError, RunContext, run_log_writer
from apps.processes.runners.container import (
    ContainerMount,
    ContainerResources,
    ContainerSpec,
    RunnerStopError,
    StateReporter,
    container_name,
    container_spec,
    outputs_collect,
    outputs_folder_prepare,
    quantity,
)

logger = logging.getLogger(__name__)

ENGINE_COMMAND_TIMEOUT = 60
STOPPED_WAIT_SECONDS = 30
FAILURE_TAIL_LINES = 3


def _engine() -> str:
    return str(settings.CONTAINER_ENGINE)


def _resource_options(resources: ContainerResources) -> list[str]:
    """The unit's maximums as limits (an engine has no reservation for CPU)."""
    options = []
    if resources.cpu_max is not None:
        options += ["--cpus", quantity(resources.cpu_max)]
    if resources.memory_max_gb is not None:
        options += ["--memory", f"{quantity(resources.memory_max_gb)}g"]
    return options


def _bind_option(mount: ContainerMount) -> list[str]:
    path = mount.path
    if ":" in str(path):
        raise ExecutionFailedError(f"{path} cannot be mounted into a container (it has a ':').")
    return ["-v", f"{path}:{path}" + (":ro" if mount.read_only else "")]


def engine_run_command(spec: ContainerSpec) -> list[str]:
    """The `<engine> run` command line starting the container.

    The spec's `command` replaces the image's entrypoint and its arguments the image's
    default arguments, as `command` and `args` do in Kubernetes.
    """
    command = [_engine(), "run", "--rm", "--name", spec.name]
    for name, value in spec.labels.items():
        command += ["--label", f"{name}={value}"]
    command += _resource_options(spec.resources)
    for mount in spec.mounts:
        command += _bind_option(mount)
    for name, value in spec.environment.items():
        command += ["-e", f"{name}={value}"]
    if spec.command:
        command += ["--entrypoint", spec.command[0]]
    return [*command, spec.image, *spec.command[1:], *spec.arguments]


def _container_remove(name: str) -> None:
    """`<engine> rm -f <name>`: stops and removes the container; none by that name is fine."""
    try:
        result = subprocess.run(  # noqa: S603 - the configured engine, fixed arguments
            [_engine(), "rm", "-f", name],
            capture_output=True,
            text=True,
            timeout=ENGINE_COMMAND_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RunnerStopError(
            f"{_engine()} could not remove the container {name}: {error}"
        ) from error
    if result.returncode != 0 and "no such container" not in result.stderr.lower():
        raise RunnerStopError(
            f"{_engine()} could not remove the container {name}: {result.stderr.strip()}"
        )


def engine_container_stop(job_id: str) -> None:
    """Stop the container of a job, e.g. when it is dismissed; none running is fine.

    Raises RunnerStopError when the engine fails.
    """
    _container_remove(container_name(job_id))


def _read_lines(stream: IO[str], lines: "queue.Queue[str | None]") -> None:
    """Copy the container's output into the queue, then None at its end (a thread)."""
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


class ContainerOutput:
    """The container's output lines: forwarded to the run log, the last few kept."""

    def __init__(self, stream: IO[str], log: Callable[[str], None]) -> None:
        self.log = log
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.tail: deque[str] = deque(maxlen=FAILURE_TAIL_LINES)
        self.reader = threading.Thread(
            target=_read_lines, args=(stream, self.lines), name="container-output", daemon=True
        )
        self.reader.start()

    def forward(self, *, wait: float) -> None:
        """Forward what came, waiting up to `wait` seconds for the first line."""
        try:
            line = self.lines.get(timeout=wait)
        except queue.Empty:
            return
        for item in self._and_the_rest(line):
            if item is not None:
                self.log(item)
                if item.strip():
                    self.tail.append(item.strip())

    def _and_the_rest(self, first: str | None) -> Iterable[str | None]:
        yield first
        while True:
            try:
                yield self.lines.get_nowait()
            except queue.Empty:
                return

    def finish(self) -> None:
        self.reader.join(timeout=STOPPED_WAIT_SECONDS)
        self.forward(wait=0)


def _started(command: list[str]) -> "subprocess.Popen[str]":
    try:
        return subprocess.Popen(  # noqa: S603 - the configured engine, arguments as a list
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as error:
        raise ExecutionFailedError(f"The container engine cannot be started: {error}") from error


def _stopped(running: "subprocess.Popen[str]", name: str, log: Callable[[str], None]) -> None:
    """Stop the container and the engine client waiting for it. This runs while the job ends
    for another reason (deadline, dismissal), which a failure to stop must not hide: that
    failure is logged."""
    try:
        _container_remove(name)
    except RunnerStopError as error:
        logger.warning("%s", error)
        log(str(error))
    try:
        running.wait(timeout=STOPPED_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        running.kill()
        running.wait()


def _container_follow(
    running: "subprocess.Popen[str]",
    name: str,
    timeout: int,
    context: RunContext,
    log: Callable[[str], None],
) -> None:
    """Wait for the container to exit, forwarding its output; ExecutionFailedError unless it
    exits with 0.

    Each wait goes through the state reporter, which notices a dismissal (it raises). A
    container still running when this ends (deadline, dismissal) is stopped.
    """
    # stdout is a pipe: the command was started with stdout=PIPE.
    output = ContainerOutput(cast(IO[str], running.stdout), log)
    report = StateReporter(context.progress)
    deadline = time.monotonic() + timeout
    poll_seconds = settings.CONTAINER_ENGINE_POLL_SECONDS
    try:
        while running.poll() is None:
            report(10, f"container {name}: running")
            output.forward(wait=poll_seconds)
            if time.monotonic() > deadline and running.poll() is None:
                raise ExecutionFailedError(f"The job exceeded its deadline of {timeout} s.")
    finally:
        if running.poll() is None:
            _stopped(running, name, log)
        output.finish()
    exit_code = running.returncode
    report(90, f"container {name}: exited with code {exit_code}")
    if exit_code != 0:
        tail = " / ".join(output.tail)
        raise ExecutionFailedError(
            f"The container exited with code {exit_code}" + (f": {tail}" if tail else ".")
        )


class ContainerEngineRunner:
    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        log = run_log_writer(context)
        outputs_folder_prepare(context.workdir)
        spec = container_spec(process, inputs, context)
        command = engine_run_command(spec)
        try:
            _container_remove(spec.name)  # left by a worker that was lost while running this job
        except RunnerStopError as error:
            raise ExecutionFailedError(str(error)) from error
        running = _started(command)
        log(f"container {spec.name} started with {_engine()}")
        _container_follow(running, spec.name, spec.timeout_seconds, context, log)
        return outputs_collect(process, context.workdir, log)


# What apps.processes.runners.registry takes from a container runner's module.
RUNNER = ContainerEngineRunner()
container_stop = engine_container_stop
