"""Runs CWL packages with cwltool in the worker's own process, without containers.

A workflow step whose `run` names a process of this platform (`run: "Add"`, §16.3) runs
that process through its own runner, in this process too. Before loading, such a step gets
a stand-in tool with the process's inputs and outputs (`cwl_process_stand_in`); cwltool
builds every tool object through `CwlRun.construct_tool`, which makes the stand-in a
`PlatformProcessTool` and every workflow a `ReportingWorkflow`, whose steps report progress.
"""

import logging
import shutil
import threading
import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any, Protocol, cast, runtime_checkable

from cwltool.context import LoadingContext, RuntimeContext
from cwltool.errors import WorkflowException
from cwltool.executors import SingleJobExecutor
from cwltool.process import Process as CwlTool
from cwltool.process import shortname
from cwltool.workflow import Workflow, WorkflowStep, default_make_tool
from schema_salad.exceptions import ValidationException
from schema_salad.ref_resolver import uri_file_path

from apps.accounts.models import User
from apps.processes.cwl import (
    PROCESS_FIELD,
    cwl_load,
    cwl_media_type,
    cwl_process_stand_in,
    cwl_step_process_identifiers,
    cwl_tool_load,
    cwl_with_stand_ins,
    readable_cwl_error,
)
from apps.processes.models import Process
from apps.processes.runners.base import ExecutionFailedError, OutputFile, RunContext
from apps.processes.selectors import process_get_visible_to
from apps.workspaces.media import media_type_of

logger = logging.getLogger(__name__)
cwltool_logger = logging.getLogger("cwltool")

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
CONTAINER_ENGINES = ("docker", "podman")
TOOL_OUTPUT_TAIL_LINES = 20
TOOL_OUTPUT_LOG_LINES = 200
TAIL_BYTES = 64 * 1024

_processes_running: ContextVar[tuple[str, ...]] = ContextVar("cwl_processes_running", default=())
"""The CWL processes the current thread is inside of, outermost first."""


@runtime_checkable
class RunLog(Protocol):
    def log(self, line: str) -> None: ...


class CwlRunner:
    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        running = _processes_running.get()
        if process.identifier in running:
            raise ExecutionFailedError(
                f"The process {process.identifier!r} runs itself through its workflow steps."
            )
        document = cwl_load(process.execution_unit.get("unit") or {})
        step_processes = _step_processes(document, context.owner_username)
        prepared = cwl_with_stand_ins(
            document,
            lambda identifier, _step: cwl_process_stand_in(
                identifier, step_processes[identifier].description
            ),
        )
        token = _processes_running.set((*running, process.identifier))
        try:
            return CwlRun(context, step_processes).execute(
                prepared, inputs, _container_engine(document)
            )
        finally:
            _processes_running.reset(token)


def _step_processes(document: dict[str, Any], owner_username: str) -> dict[str, Process]:
    """The platform processes the steps name, each one the job's owner may run."""
    identifiers = cwl_step_process_identifiers(document)
    if not identifiers:
        return {}
    owner = User.objects.get(username=owner_username)
    processes = {}
    for identifier in identifiers:
        step_process = process_get_visible_to(identifier=identifier, user=owner)
        if step_process is None:
            raise ExecutionFailedError(
                f"A workflow step runs the process {identifier!r}, which does not exist"
                " or is not one you may run."
            )
        processes[identifier] = step_process
    return processes


def _container_engine(document: dict[str, Any]) -> str | None:
    """The engine to run the containers a package requires; None when it requires none.

    Tools that only hint at a container run on the worker itself (`--no-container`).
    """
    if "DockerRequirement" not in _required_classes(document):
        return None
    engine = next((name for name in CONTAINER_ENGINES if shutil.which(name)), None)
    if engine is None:
        raise ExecutionFailedError(
            "This package requires a container (DockerRequirement), and this platform"
            " runs CWL without a container engine."
        )
    return engine


def _required_classes(node: Any) -> set[str]:
    """The classes of every `requirements` entry anywhere in a document."""
    found: set[str] = set()
    if isinstance(node, dict):
        requirements = node.get("requirements")
        if isinstance(requirements, dict):
            found.update(requirements)
        elif isinstance(requirements, list):
            found.update(str(each.get("class")) for each in requirements if isinstance(each, dict))
        for value in node.values():
            found |= _required_classes(value)
    elif isinstance(node, list):
        for value in node:
            found |= _required_classes(value)
    return found


class _SharedDescriptor:
    """The file tools write their standard output and error to, when they name none.

    cwltool closes the stream it hands a tool once the tool ends; an object offering only
    `fileno()` is not closed, so one file serves every tool of the run.
    """

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def fileno(self) -> int:
        return self.descriptor


class CwlRun:
    """One run of a CWL document for a job: its folders, progress, log and failures."""

    def __init__(self, context: RunContext, step_processes: dict[str, Process]) -> None:
        self.context = context
        self.step_processes = step_processes
        self.scratch = context.workdir / "cwl"
        self.outdir = context.workdir / "outputs"
        self.tool_output = self.scratch / "tool-output.log"
        self.write_log = _run_log_writer(context)
        self.steps_total = 0
        self.steps_finished: set[str] = set()
        self.failed_steps: list[str] = []
        self.failure_reasons: list[str] = []
        self.cwltool_warnings: list[str] = []
        self.interruption: Exception | None = None
        self.is_executing = False

    def execute(
        self, document: dict[str, Any], inputs: dict[str, Any], container_engine: str | None
    ) -> dict[str, Any]:
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.outdir.mkdir(parents=True, exist_ok=True)
        try:
            with self._cwltool_log_copied(), open(self.tool_output, "ab") as tool_output:
                tool = self._load(document)
                runtime_context = self._runtime_context(tool_output, container_engine)
                outputs, status = self._execute(
                    tool, _job_order(tool, inputs, self.log), runtime_context
                )
            if self.interruption is not None:
                raise self.interruption
            if status != "success" or outputs is None:
                raise ExecutionFailedError(self._failure_message(status))
            return _platform_outputs(outputs, self.outdir)
        finally:
            self._copy_tool_output_to_log()
            _remove_folder(self.scratch)

    def _load(self, document: dict[str, Any]) -> CwlTool:
        try:
            return cwl_tool_load(document, self.construct_tool)
        except (ValidationException, WorkflowException) as error:
            raise ExecutionFailedError(
                f"The CWL document is not valid: {readable_cwl_error(error)}"
            ) from error

    def _runtime_context(
        self, tool_output: IO[bytes], container_engine: str | None
    ) -> RuntimeContext:
        shared = cast(IO[bytes], _SharedDescriptor(tool_output.fileno()))
        return RuntimeContext(
            {
                "use_container": container_engine is not None,
                "podman": container_engine == "podman",
                "tmpdir_prefix": str(self.scratch / "tmp-"),
                "tmp_outdir_prefix": str(self.scratch / "out-"),
                "outdir": str(self.outdir),
                "basedir": str(self.context.workdir),
                "move_outputs": "move",
                "default_stdout": shared,
                "default_stderr": shared,
                "on_error": "stop",
            }
        )

    def _execute(
        self, tool: CwlTool, job_order: dict[str, Any], runtime_context: RuntimeContext
    ) -> tuple[dict[str, Any] | None, str]:
        self.is_executing = True
        try:
            outputs, status = SingleJobExecutor()(tool, job_order, runtime_context)
        except (ValidationException, WorkflowException) as error:
            if self.interruption is not None:
                raise self.interruption from error
            self.failure_reasons.append(readable_cwl_error(error))
            return None, "permanentFail"
        finally:
            self.is_executing = False
        return cast(dict[str, Any] | None, outputs), status

    def construct_tool(self, toolpath_object: Any, loading_context: LoadingContext) -> CwlTool:
        """cwltool's `construct_tool_object`: our classes for stand-ins and workflows."""
        if PROCESS_FIELD in toolpath_object:
            return PlatformProcessTool(toolpath_object, loading_context, self)
        if toolpath_object.get("class") == "Workflow":
            return ReportingWorkflow(toolpath_object, loading_context, self)
        return default_make_tool(toolpath_object, loading_context)

    def step_added(self) -> None:
        self.steps_total += 1

    def step_finished(self, step_id: str, status: str) -> None:
        """Report a finished step; a failed report (a dismissed job) stops the run."""
        if status not in ("success", "skipped"):
            self.failed_steps.append(shortname(step_id))
            return
        self.steps_finished.add(step_id)
        percent = min(99, 100 * len(self.steps_finished) // max(1, self.steps_total))
        self.report(percent, f"step '{shortname(step_id)}' finished")

    def report_within_step(self, step_name: str, percent: int, message: str) -> None:
        """Progress of a platform process running as a step, within the step's share."""
        done = (len(self.steps_finished) + max(0, min(100, percent)) / 100) / max(
            1, self.steps_total
        )
        self.context.progress(min(99, int(100 * done)), f"{step_name}: {message}")

    def report(self, percent: int, message: str) -> None:
        try:
            self.context.progress(percent, message)
        except Exception as error:  # kept for `execute` to raise once cwltool has stopped
            self.interrupt(error)

    def interrupt(self, error: Exception) -> None:
        if self.interruption is None:
            self.interruption = error

    def stop_if_interrupted(self) -> None:
        if self.interruption is not None:
            raise WorkflowException(f"Stopped: {self.interruption}") from self.interruption

    def log(self, line: str) -> None:
        self.write_log(line)

    def cwltool_said(self, level: int, message: str) -> None:
        lines = [line.rstrip() for line in message.splitlines() if line.strip()]
        for line in lines:
            self.write_log(line)
        if lines and level >= logging.WARNING and self.is_executing:
            self.cwltool_warnings.append(" ".join(line.strip() for line in lines))

    def _failure_message(self, status: str) -> str:
        reason = next(
            iter(self.failure_reasons + self.cwltool_warnings), f"it ended with status {status}"
        )
        reason = reason if reason.endswith(".") else f"{reason}."
        if self.failed_steps:
            message = f"Step '{self.failed_steps[0]}' failed: {reason}"
        else:
            message = f"The CWL run failed: {reason}"
        tail = _tail_lines(self.tool_output, TOOL_OUTPUT_TAIL_LINES)
        if tail and not self.failure_reasons:
            message += f" Tool output ends with: {' | '.join(tail)}"
        return message

    @contextmanager
    def _cwltool_log_copied(self) -> Iterator[None]:
        handler = _RunLogHandler(self)
        cwltool_logger.addHandler(handler)
        try:
            yield
        finally:
            cwltool_logger.removeHandler(handler)

    def _copy_tool_output_to_log(self) -> None:
        for line in _tail_lines(self.tool_output, TOOL_OUTPUT_LOG_LINES):
            self.write_log(f"tool: {line}")


class _RunLogHandler(logging.Handler):
    """Copies what cwltool logs in the running thread into the run."""

    def __init__(self, cwl_run: CwlRun) -> None:
        super().__init__(logging.INFO)
        self.cwl_run = cwl_run
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.cwl_run.cwltool_said(record.levelno, record.getMessage())


def _run_log_writer(context: RunContext) -> Callable[[str], None]:
    if isinstance(context.progress, RunLog):
        return context.progress.log
    return lambda line: logger.info("job %s: %s", context.job_id, line)


def _tail_lines(path: Path, count: int) -> list[str]:
    if not path.exists():
        return []
    with open(path, "rb") as stream:
        stream.seek(max(0, path.stat().st_size - TAIL_BYTES))
        text = stream.read().decode(errors="replace")
    return [line for line in text.splitlines() if line.strip()][-count:]


def _remove_folder(folder: Path) -> None:
    if not folder.exists():
        return
    try:
        shutil.rmtree(folder)
    except OSError:
        logger.warning("Could not remove the CWL scratch folder %s", folder, exc_info=True)


class ReportingWorkflow(Workflow):
    """A workflow whose steps report to the run when they finish."""

    def __init__(
        self, toolpath_object: Any, loading_context: LoadingContext, cwl_run: CwlRun
    ) -> None:
        self.cwl_run = cwl_run  # the steps, made by the parent's constructor, need it
        super().__init__(toolpath_object, loading_context)

    def make_workflow_step(
        self,
        toolpath_object: Any,
        pos: int,
        loadingContext: LoadingContext,
        parentworkflowProv: Any = None,
    ) -> WorkflowStep:
        step = ReportingWorkflowStep(toolpath_object, pos, loadingContext, parentworkflowProv)
        step.cwl_run = self.cwl_run
        self.cwl_run.step_added()
        return step


class ReportingWorkflowStep(WorkflowStep):
    """A step that tells the run when it finishes, and does not start once it is interrupted."""

    cwl_run: CwlRun

    def job(
        self, job_order: Any, output_callbacks: Any, runtimeContext: RuntimeContext
    ) -> Generator[Any, None, None]:
        self.cwl_run.stop_if_interrupted()

        def finished(outputs: Any, status: str) -> None:
            output_callbacks(outputs, status)
            self.cwl_run.step_finished(self.id, status)

        yield from super().job(job_order, finished, runtimeContext)


class PlatformProcessTool(CwlTool):
    """The stand-in of a step that runs a platform process."""

    def __init__(
        self, toolpath_object: Any, loading_context: LoadingContext, cwl_run: CwlRun
    ) -> None:
        super().__init__(toolpath_object, loading_context)
        self.cwl_run = cwl_run
        self.process = cwl_run.step_processes[toolpath_object[PROCESS_FIELD]]

    def job(
        self, job_order: Any, output_callbacks: Any, runtimeContext: RuntimeContext
    ) -> Generator[Any, None, None]:
        builder = self._init_job(job_order, runtimeContext)
        yield PlatformProcessJob(
            cwl_run=self.cwl_run,
            process=self.process,
            inputs=dict(builder.job),
            output_callback=output_callbacks,
            outdir=Path(runtimeContext.create_outdir()),
            name=runtimeContext.name or self.process.identifier,
        )


class PlatformProcessJob:
    """Runs a platform process, in this thread, as cwltool runs any job."""

    def __init__(
        self,
        *,
        cwl_run: CwlRun,
        process: Process,
        inputs: dict[str, Any],
        output_callback: Callable[[Any, str], None],
        outdir: Path,
        name: str,
    ) -> None:
        self.cwl_run = cwl_run
        self.process = process
        self.inputs = inputs
        self.output_callback = output_callback
        self.outdir = str(outdir)  # cwltool moves the outputs out of it, then removes it
        self.name = name

    def run(
        self, runtimeContext: RuntimeContext, tmpdir_lock: "threading.Lock | None" = None
    ) -> None:
        workdir = Path(self.outdir)
        sub_context = RunContext(
            job_id=self.cwl_run.context.job_id,
            owner_username=self.cwl_run.context.owner_username,
            workdir=workdir,
            progress=StepReporter(self.cwl_run, self.name),
        )
        self.cwl_run.log(f"[step {self.name}] runs the process {self.process.identifier!r}")
        try:
            from apps.processes.runners.registry import runner_for  # it registers this module

            inputs = _platform_inputs(self.inputs, workdir)
            results = runner_for(self.process).run(self.process, inputs, sub_context)
        except ExecutionFailedError as error:
            self.cwl_run.failure_reasons.append(f"the process {self.process.identifier!r}: {error}")
            self._finish({}, "permanentFail", runtimeContext)
            return
        except Exception as error:  # a dismissal or a defect: the job runner must see it as is
            self.cwl_run.interrupt(error)
            raise WorkflowException(str(error)) from error
        self._finish(
            {output_id: _cwl_value(value) for output_id, value in results.items()},
            "success",
            runtimeContext,
        )

    def _finish(self, outputs: dict[str, Any], status: str, runtimeContext: RuntimeContext) -> None:
        lock = runtimeContext.workflow_eval_lock
        if lock is None:
            self.output_callback(outputs, status)
            return
        with lock:
            self.output_callback(outputs, status)


class StepReporter:
    """The progress reporter of a platform process running as a step."""

    def __init__(self, cwl_run: CwlRun, step_name: str) -> None:
        self.cwl_run = cwl_run
        self.step_name = step_name

    def __call__(self, percent: int, message: str = "") -> None:
        self.cwl_run.report_within_step(self.step_name, percent, message)

    def log(self, line: str) -> None:
        self.cwl_run.log(f"[step {self.step_name}] {line}")


def _job_order(tool: CwlTool, inputs: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """The CWL job order of the job's inputs: staged files become File objects.

    A staged file gets the format its input declares, as CWL checks formats and the
    platform's references carry none.
    """
    parameters = {shortname(parameter["id"]): parameter for parameter in tool.tool["inputs"]}
    order = {}
    for name, value in inputs.items():
        if name not in parameters:
            log(f"input {name!r} is not an input of the CWL document; it is left out")
            continue
        if value is None:
            continue
        value_type = _without_null(parameters[name]["type"])
        if _is_array_type(value_type) and not isinstance(value, list):
            value = [value]
        if _is_file_type(value_type) and not isinstance(value, Path):
            raise ExecutionFailedError(
                f"Input '{name}' is a file: give it by reference ({{\"href\": …}})."
            )
        order[name] = _with_format(_cwl_value(value), parameters[name].get("format"))
    return order


def _with_format(value: Any, cwl_format: Any) -> Any:
    declared = cwl_format[0] if isinstance(cwl_format, list) and cwl_format else cwl_format
    if not isinstance(declared, str) or "$(" in declared or "${" in declared:
        return value
    if isinstance(value, list):
        return [_with_format(member, declared) for member in value]
    if isinstance(value, dict) and value.get("class") == "File" and "format" not in value:
        return {**value, "format": declared}
    return value


def _without_null(cwl_type: Any) -> Any:
    if isinstance(cwl_type, list):
        others = [member for member in cwl_type if member != "null"]
        return others[0] if len(others) == 1 else others
    return cwl_type


def _is_array_type(cwl_type: Any) -> bool:
    return isinstance(cwl_type, dict) and cwl_type.get("type") == "array"


def _is_file_type(cwl_type: Any) -> bool:
    return cwl_type in ("File", "Directory")


def _cwl_value(value: Any) -> Any:
    """A platform value as CWL: files (paths, output files) become File or Directory objects."""
    if isinstance(value, OutputFile):
        media_type = value.media_type.partition(";")[0].strip()
        return {
            "class": "File",
            "location": value.path.as_uri(),
            "format": IANA_MEDIA_TYPES + media_type,
        }
    if isinstance(value, Path):
        return {"class": "Directory" if value.is_dir() else "File", "location": value.as_uri()}
    if isinstance(value, list | tuple):
        return [_cwl_value(member) for member in value]
    if isinstance(value, dict):
        return {key: _cwl_value(member) for key, member in value.items()}
    return value


def _platform_inputs(inputs: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """A step's CWL inputs as a platform process takes them: files as paths, no nulls."""
    return {
        name: _platform_value(value, workdir) for name, value in inputs.items() if value is not None
    }


def _platform_value(value: Any, workdir: Path) -> Any:
    if _is_file_object(value):
        return _local_path(value, workdir)
    if isinstance(value, list):
        return [_platform_value(member, workdir) for member in value]
    if isinstance(value, dict):
        return {key: _platform_value(member, workdir) for key, member in value.items()}
    return value


def _is_file_object(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class") in ("File", "Directory")


def _local_path(file_object: dict[str, Any], workdir: Path) -> Path:
    """The local path of a File or Directory object; a literal file is written to `workdir`."""
    location = str(file_object.get("path") or file_object.get("location") or "")
    if location.startswith("file://"):
        return Path(uri_file_path(location))
    if location.startswith("/"):
        return Path(location)
    if "contents" in file_object:
        target = workdir / str(file_object.get("basename") or "contents")
        target.write_text(str(file_object["contents"]))
        return target
    raise ExecutionFailedError(f"The file {location!r} is not on this machine.")


def _platform_outputs(outputs: dict[str, Any], outdir: Path) -> dict[str, Any]:
    """CWL outputs as job results: one file is an OutputFile, several are zipped into one."""
    results = {}
    for output_id, value in outputs.items():
        if isinstance(value, dict) and value.get("class") == "File":
            results[output_id] = _output_file(value)
        elif _file_objects(value):
            results[output_id] = _zipped(_file_objects(value), outdir / f"{output_id}.zip")
        else:
            results[output_id] = value
    return results


def _file_objects(value: Any) -> list[dict[str, Any]]:
    if _is_file_object(value):
        return [value]
    members = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    )
    return [found for member in members for found in _file_objects(member)]


def _output_file(file_object: dict[str, Any]) -> OutputFile:
    path = Path(uri_file_path(str(file_object["location"])))
    return OutputFile(path, _media_type(path.name, file_object.get("format")))


def _media_type(name: str, cwl_format: Any) -> str:
    """The format's media type, or the name's when that says the same with more detail."""
    by_name = media_type_of(name)
    by_format = cwl_media_type(cwl_format) if isinstance(cwl_format, str) else None
    if by_format is None or by_name.partition(";")[0].strip() == by_format:
        return by_name
    return by_format


def _zipped(file_objects: list[dict[str, Any]], target: Path) -> OutputFile:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in (Path(uri_file_path(str(each["location"]))) for each in file_objects):
            members = sorted(path.rglob("*")) if path.is_dir() else [path]
            for member in members:
                if member.is_file():
                    archive.write(member, member.relative_to(path.parent).as_posix())
    return OutputFile(target, "application/zip")
