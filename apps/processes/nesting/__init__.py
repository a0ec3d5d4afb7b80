"""Nested processes (OGC API - Processes - Part 3, §16.2.2): an input whose value calls a process.

    {"inputs": {"value1": 10.2, "value2": {"process": "Add", "inputs": {"value1": 9.2, …}}}}

At submission `nested_request_check` names every problem of the nested calls, at any
depth. In the worker `nested_inputs_resolve` runs each nested call, its own nested calls
first and siblings in parallel threads, and puts the call's output in its place. A call's
`process` is a local process id or the URL of a process of a registered `RemoteProvider`.

A deployed `moaw` workflow is one such call whose `{"input": name}` values stand for the
deployed process's own inputs (`workflow_inputs_substitute`); see `runners/moaw.py`.
"""

from apps.processes.nesting.calls import NestedCall, NestedSlot, nested_slots
from apps.processes.nesting.checks import nested_problems, nested_request_check
from apps.processes.nesting.execution import (
    NestedProgress,
    nested_call_execute,
    nested_inputs_resolve,
)
from apps.processes.nesting.workflows import workflow_inputs_substitute

__all__ = [
    "NestedCall",
    "NestedProgress",
    "NestedSlot",
    "nested_call_execute",
    "nested_inputs_resolve",
    "nested_problems",
    "nested_request_check",
    "nested_slots",
    "workflow_inputs_substitute",
]
