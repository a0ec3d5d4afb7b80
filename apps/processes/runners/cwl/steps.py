"""Workflow steps that run a platform process (`run: "Add"`, §16.3) through its own runner."""

import threading
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cwltool.context import LoadingContext, RuntimeContext
from cwltool.errors import WorkflowException
from cwltool.process import Process as CwlTool

from apps.processes.cwl import PROCESS_FIELD
from apps.processes.models import Process
from apps.processes.runners.base import (
    ExecutionFailedError,
    RunContext,
    step_run_id,
    stop_check,
)
from apps.processes.runners.cwl.values import _cwl_value, _platform_inputs

if TYPE_CHECKING:
    from apps.processes.runners.cwl.run import CwlRun


class PlatformProcessTool(CwlTool):
    """The stand-in of a step that runs a platform process."""

    def __init__(
        self, toolpath_object: Any, loading_context: LoadingContext, cwl_run: "CwlRun"
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
        cwl_run: "CwlRun",
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
            job_id=step_run_id(self.cwl_run.context.job_id, f"cwl/{self.name}"),
            owner=self.cwl_run.context.owner,
            workdir=workdir,
            progress=StepReporter(self.cwl_run, self.name),
        )
        self.cwl_run.log(f"[step {self.name}] runs the process {self.process.identifier!r}")
        try:
            from apps.processes.runners.registry import runner_for  # it registers this package

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

    def __init__(self, cwl_run: "CwlRun", step_name: str) -> None:
        self.cwl_run = cwl_run
        self.step_name = step_name

    def __call__(self, percent: int, message: str = "") -> None:
        self.cwl_run.report_within_step(self.step_name, percent, message)

    def log(self, line: str) -> None:
        self.cwl_run.log(f"[step {self.step_name}] {line}")

    def raise_if_stopped(self) -> None:
        stop_check(self.cwl_run.context.progress)
