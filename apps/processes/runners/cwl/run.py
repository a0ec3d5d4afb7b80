"""One cwltool run of a CWL document for a job, and the workflow classes that report to it."""

import logging
import threading
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

from cwltool.context import LoadingContext, RuntimeContext
from cwltool.errors import WorkflowException
from cwltool.executors import SingleJobExecutor
from cwltool.process import Process as CwlTool
from cwltool.process import shortname
from cwltool.workflow import Workflow, WorkflowStep, default_make_tool
from schema_salad.exceptions import ValidationException

from apps.processes.cwl import PROCESS_FIELD, cwl_tool_load, readable_cwl_error
from apps.processes.models import Process
from apps.processes.runners.base import ExecutionFailedError, RunContext, run_log_writer
from apps.processes.runners.cwl.logs import _remove_folder, _tail_lines
from apps.processes.runners.cwl.naming import names_of_a_new_run
from apps.processes.runners.cwl.steps import PlatformProcessTool
from apps.processes.runners.cwl.values import _job_order, _platform_outputs

cwltool_logger = logging.getLogger("cwltool")

TOOL_OUTPUT_TAIL_LINES = 20
TOOL_OUTPUT_LOG_LINES = 200


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
        self.write_log = run_log_writer(context)
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
            with names_of_a_new_run():
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
