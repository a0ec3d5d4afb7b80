"""What a batch row holds: values encoded as JSON, and the job's outputs gathered from them."""

from pathlib import Path
from typing import Any

from django.conf import settings

from apps.processes.runners.base import ExecutionFailedError, OutputFile


def encoded(value: Any) -> dict[str, Any]:
    """A value as JSON that says what it is: a staged file, an output file, a list, or JSON.

    Only values the platform made become paths again when decoded; a user's JSON value
    is always kept under `value`, whatever its members.
    """
    if isinstance(value, OutputFile):
        return {"file": str(_storage_relative(value.path)), "mediaType": value.media_type}
    if isinstance(value, Path):
        return {"path": str(value)}
    if isinstance(value, list | tuple):
        return {"items": [encoded(item) for item in value]}
    return {"value": value}


def decoded(document: dict[str, Any]) -> Any:
    if "file" in document:
        return OutputFile(Path(settings.STORAGE_ROOT) / document["file"], document["mediaType"])
    if "path" in document:
        return Path(document["path"])
    if "items" in document:
        return [decoded(item) for item in document["items"]]
    return document["value"]


def _storage_relative(path: Path) -> Path:
    try:
        return path.relative_to(Path(settings.STORAGE_ROOT))
    except ValueError:
        raise ExecutionFailedError(f"The output file {path} is outside the job's folder.") from None


def gathered(batch_results: list[dict[str, Any]]) -> dict[str, Any]:
    """The job's outputs from its batches' outputs, in batch order.

    An output every batch gave as a list is their concatenation; any other output is the
    list of each batch's value (None from a batch that did not give it).
    """
    output_ids = dict.fromkeys(output_id for results in batch_results for output_id in results)
    outputs = {}
    for output_id in output_ids:
        values = [results.get(output_id) for results in batch_results]
        lists = [value for value in values if isinstance(value, list)]
        if len(lists) == len(values):
            outputs[output_id] = [item for value in lists for item in value]
        else:
            outputs[output_id] = values
    return outputs
