"""Checking a CWL document: every reason it cannot be deployed, in readable sentences."""

import re
from collections.abc import Mapping
from typing import Any

from cwltool.errors import WorkflowException
from cwltool.update import ALLUPDATES
from schema_salad.exceptions import ValidationException

from apps.processes.cwl.loading import (
    CwlDocumentError,
    _all_processes,
    _all_steps,
    _short_id,
    cwl_load,
    cwl_tool_load,
    is_process_identifier,
)
from apps.processes.cwl.stand_ins import cwl_step_placeholder, cwl_with_stand_ins

SUPPORTED_CLASSES = ("CommandLineTool", "Workflow", "ExpressionTool")
SUPPORTED_VERSIONS = tuple(version for version in ALLUPDATES if "dev" not in version)


def cwl_problems(document: Mapping[str, Any]) -> list[str]:
    """Every reason this document cannot be deployed as a process; none when it can."""
    try:
        process = cwl_load(document)
    except CwlDocumentError as error:
        return [str(error)]
    problems = _version_problems(process) + _class_problems(process)
    if problems:
        return problems
    problems = _run_problems(process)
    with_placeholders = cwl_with_stand_ins(
        process, lambda _run, step: cwl_step_placeholder(step), replaces=_is_text
    )
    try:
        cwl_tool_load(with_placeholders)
    except (ValidationException, WorkflowException) as error:
        problems.append(readable_cwl_error(error))
    return problems


def _version_problems(process: Mapping[str, Any]) -> list[str]:
    version = process.get("cwlVersion")
    if version is None:
        return ["The document has no cwlVersion; add one, such as 'cwlVersion: v1.2'."]
    if version not in SUPPORTED_VERSIONS:
        return [
            f"cwlVersion {version!r} is not supported; use one of {', '.join(SUPPORTED_VERSIONS)}."
        ]
    return []


def _class_problems(process: Mapping[str, Any]) -> list[str]:
    supported = ", ".join(SUPPORTED_CLASSES)
    return [
        f"The class {each.get('class')!r} of {_describe(each)} is not one of {supported}."
        for each in _all_processes(process)
        if each.get("class") not in SUPPORTED_CLASSES
    ]


def _describe(process: Mapping[str, Any]) -> str:
    identifier = process.get("id") or process.get("label")
    return f"process '{_short_id(str(identifier))}'" if identifier else "a process"


def _is_text(run: object) -> bool:
    return isinstance(run, str)


def _run_problems(process: Mapping[str, Any]) -> list[str]:
    return [
        f"Step '{name}' runs '{step['run']}', which is neither written in the document nor the"
        " identifier of a process."
        for name, step in _all_steps(process)
        if isinstance(step.get("run"), str) and not is_process_identifier(step["run"])
    ]


SOURCE_POSITION = re.compile(r"^\s*\S+:\d+:\d+:\s*", re.MULTILINE)
LOADER_PREFIX = re.compile(r"\(\d+\) \([^)]*\) ")
IDENTIFIERS_TRIED = re.compile(r",\s+tried(?:\s+_:\S+)+")
BLANK_NODE_BASE = re.compile(r"_:[^#\s'\"]*#(?:[^/\s'\"]*/)?")
BLANK_NODE = re.compile(r"_:([^\s'\"]*)")
CHECKING_OBJECT = re.compile(r"checking field '([^']*)'\s+checking object '([^']*)'\s+")
CHECKING_ITEM = re.compile(r"checking (?:item|field '[^']*')\s+")


def readable_cwl_error(error: Exception) -> str:
    """One sentence from a cwltool message, without source positions and internal ids."""
    text = IDENTIFIERS_TRIED.sub("", str(error))
    for pattern in (SOURCE_POSITION, LOADER_PREFIX):
        text = pattern.sub("", text)
    text = BLANK_NODE.sub(r"\1", BLANK_NODE_BASE.sub("", text))
    text = CHECKING_ITEM.sub("", CHECKING_OBJECT.sub(r"\1 '\2': ", text))
    sentence = " ".join(text.split())
    sentence = sentence[:1].upper() + sentence[1:]
    return sentence if sentence.endswith(".") else f"{sentence}."
