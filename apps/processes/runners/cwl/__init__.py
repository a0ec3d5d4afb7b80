"""Runs CWL packages with cwltool in the worker's own process, without containers.

A workflow step whose `run` names a process of this platform (`run: "Add"`, §16.3) runs
that process through its own runner, in this process too. Before loading, such a step gets
a stand-in tool with the process's inputs and outputs (`cwl_process_stand_in`); cwltool
builds every tool object through `CwlRun.construct_tool`, which makes the stand-in a
`PlatformProcessTool` and every workflow a `ReportingWorkflow`, whose steps report progress.
"""

from apps.processes.runners.cwl.runner import CwlRunner

__all__ = ["CwlRunner"]
