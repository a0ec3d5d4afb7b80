"""Values between the platform and CWL: the job order, a step's inputs, the job's outputs."""

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cwltool.process import Process as CwlTool
from cwltool.process import shortname
from schema_salad.ref_resolver import uri_file_path

from apps.processes.cwl import cwl_media_type
from apps.processes.runners.base import ExecutionFailedError, OutputFile, output_file_local
from apps.workspaces.media import media_type_of

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


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
        path = output_file_local(value)
        return {
            "class": "File",
            "location": path.as_uri(),
            "basename": path.name,
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
