"""What a submitted revision changes in a published application, for its reviewer (§6.8 note)."""

import difflib
import json
from dataclasses import dataclass
from typing import Any

from apps.processes.models import ProcessRevision

HEADER_LINES = 2
LINE_KINDS = {"+": "added", "-": "removed", "@": "hunk"}


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff; `kind` is header, hunk, added, removed or context."""

    kind: str
    text: str


def revision_document(revision: ProcessRevision) -> dict[str, Any]:
    """The package of a revision as deployed, or its description and unit if none was kept."""
    return revision.package or {
        "processDescription": {"process": revision.description},
        "executionUnit": revision.execution_unit,
    }


def pretty_json(document: Any, *, sort_keys: bool = False) -> str:
    return json.dumps(document, indent=2, sort_keys=sort_keys, ensure_ascii=False)


def revision_diff(published: ProcessRevision, submitted: ProcessRevision) -> list[DiffLine]:
    """A unified diff of the two packages as JSON; keys are sorted so only real changes show."""
    lines = difflib.unified_diff(
        pretty_json(revision_document(published), sort_keys=True).splitlines(),
        pretty_json(revision_document(submitted), sort_keys=True).splitlines(),
        fromfile=f"revision {published.number} ({published.version}, published)",
        tofile=f"revision {submitted.number} ({submitted.version}, submitted)",
        lineterm="",
    )
    return [
        DiffLine("header" if index < HEADER_LINES else LINE_KINDS.get(line[:1], "context"), line)
        for index, line in enumerate(lines)
    ]
