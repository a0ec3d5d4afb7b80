"""CWL application packages: loading, checking, and the OGC process description they give.

A workflow step may name a process of this platform instead of a CWL file (`run: "Add"`,
§16.3). Such names are resolved when a job runs, by the CWL runner, which puts a stand-in
tool (`cwl_process_stand_in`) in the step; checking a package puts a placeholder there.
Packages must be self-contained: nothing is fetched, from the network or from disk.
"""

from apps.processes.cwl.description import cwl_description, cwl_media_type
from apps.processes.cwl.loading import (
    PROCESS_IDENTIFIER,
    CwlDocumentError,
    OfflineFetcher,
    cwl_load,
    cwl_step_process_identifiers,
    cwl_tool_load,
    is_process_identifier,
)
from apps.processes.cwl.problems import (
    SUPPORTED_CLASSES,
    SUPPORTED_VERSIONS,
    cwl_problems,
    readable_cwl_error,
)
from apps.processes.cwl.stand_ins import (
    PROCESS_FIELD,
    cwl_process_stand_in,
    cwl_step_placeholder,
    cwl_with_stand_ins,
)

__all__ = [
    "PROCESS_FIELD",
    "PROCESS_IDENTIFIER",
    "SUPPORTED_CLASSES",
    "SUPPORTED_VERSIONS",
    "CwlDocumentError",
    "OfflineFetcher",
    "cwl_description",
    "cwl_load",
    "cwl_media_type",
    "cwl_problems",
    "cwl_process_stand_in",
    "cwl_step_placeholder",
    "cwl_step_process_identifiers",
    "cwl_tool_load",
    "cwl_with_stand_ins",
    "is_process_identifier",
    "readable_cwl_error",
]
