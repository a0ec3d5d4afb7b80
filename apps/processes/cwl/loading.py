"""Loading CWL documents: YAML or JSON text, `$graph` documents, and cwltool tool objects."""

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import yaml
from cwltool.context import LoadingContext
from cwltool.load_tool import load_tool
from cwltool.process import Process as CwlTool
from cwltool.workflow import default_make_tool
from schema_salad.exceptions import ValidationException
from schema_salad.fetcher import DefaultFetcher

PROCESS_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]+")


class CwlDocumentError(ValueError):
    """Text that is not a CWL document this platform can read."""


def cwl_load(source: str | Mapping[str, Any]) -> dict[str, Any]:
    """The CWL process of a document given as YAML or JSON text, or already parsed.

    A `$graph` document gives its `#main` entry, else its only Workflow, else its only
    process; the graph entries its steps name (`run: "#tool"`) are copied into them.

    Raises:
        CwlDocumentError: the text is not YAML, not a mapping, or the graph has no main entry.
    """
    if isinstance(source, str):
        try:
            document = yaml.safe_load(source)
        except yaml.YAMLError as error:
            raise CwlDocumentError(f"The CWL document is neither YAML nor JSON: {error}") from error
    else:
        document = copy.deepcopy(dict(source))
    if not isinstance(document, dict):
        raise CwlDocumentError("A CWL document must be a mapping (a YAML or JSON object).")
    if "$graph" in document:
        return _graph_main(document)
    return document


def _graph_main(document: dict[str, Any]) -> dict[str, Any]:
    graph = document["$graph"]
    entries = [graph] if isinstance(graph, dict) else graph
    if not isinstance(entries, list):
        raise CwlDocumentError("'$graph' must list the processes of the document.")
    processes = [entry for entry in entries if isinstance(entry, dict)]
    by_id = {
        _short_id(entry["id"]): entry for entry in processes if isinstance(entry.get("id"), str)
    }
    workflows = [entry for entry in processes if entry.get("class") == "Workflow"]
    if "main" in by_id:
        main = by_id["main"]
    elif len(workflows) == 1:
        main = workflows[0]
    elif len(processes) == 1:
        main = processes[0]
    else:
        raise CwlDocumentError(
            "The '$graph' holds several processes: give the one to run the id 'main'."
        )
    main = _with_graph_runs_inlined(main, by_id, visiting=())
    for key in ("cwlVersion", "$namespaces", "$schemas"):
        if key in document and key not in main:
            main[key] = document[key]
    return main


def _with_graph_runs_inlined(
    process: dict[str, Any], by_id: dict[str, dict[str, Any]], visiting: tuple[str, ...]
) -> dict[str, Any]:
    """A copy of `process` whose steps carry the graph entries they name (`#id`)."""
    process = copy.deepcopy(process)
    for name, step in _own_steps(process):
        run = step.get("run")
        if isinstance(run, str) and run.startswith("#") and run[1:] in by_id:
            if run[1:] in visiting:
                raise CwlDocumentError(f"Step '{name}' runs '{run}', which contains itself.")
            inlined = _with_graph_runs_inlined(by_id[run[1:]], by_id, (*visiting, run[1:]))
            inlined.pop("id", None)
            step["run"] = inlined
        elif isinstance(run, dict):
            step["run"] = _with_graph_runs_inlined(run, by_id, visiting)
    return process


def _own_steps(process: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, step) of the steps of a workflow, in either the map or the list form."""
    steps = process.get("steps")
    if isinstance(steps, dict):
        pairs = list(steps.items())
    elif isinstance(steps, list):
        pairs = [(step.get("id", "") if isinstance(step, dict) else "", step) for step in steps]
    else:
        pairs = []
    for name, step in pairs:
        if isinstance(step, dict):
            yield _short_id(str(name)), step


def _all_steps(process: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every step of a workflow, and of the workflows written inline in its steps."""
    for name, step in _own_steps(process):
        yield name, step
        if isinstance(step.get("run"), dict):
            yield from _all_steps(step["run"])


def _all_processes(process: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield process
    for _name, step in _own_steps(process):
        if isinstance(step.get("run"), dict):
            yield from _all_processes(step["run"])


def _short_id(identifier: str) -> str:
    return identifier.rpartition("#")[2].rpartition("/")[2]


def is_process_identifier(run: object) -> bool:
    """True when a step's `run` names a platform process rather than a file or URL."""
    return isinstance(run, str) and PROCESS_IDENTIFIER.fullmatch(run) is not None


def cwl_step_process_identifiers(document: Mapping[str, Any]) -> list[str]:
    """The platform processes the steps of a workflow run, each once, sorted."""
    return sorted(
        {
            step["run"]
            for _name, step in _all_steps(document)
            if is_process_identifier(step.get("run"))
        }
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class OfflineFetcher(DefaultFetcher):
    """Fetches nothing: a package may not pull in files or URLs (`$import`, `$include`)."""

    def fetch_text(self, url: str, content_types: list[str] | None = None) -> str:
        cached = self.cache.get(url)
        if isinstance(cached, str):
            return cached
        raise ValidationException(
            f"'{url}' is outside the document; packages must be self-contained"
        )

    def check_exists(self, url: str) -> bool:
        return url in self.cache


def cwl_tool_load(
    document: Mapping[str, Any],
    construct_tool_object: Callable[[Any, LoadingContext], CwlTool] = default_make_tool,
) -> CwlTool:
    """Validate a single-process document with cwltool and build its tool object.

    Raises:
        ValidationException, WorkflowException: the document is not valid CWL.
    """
    loading_context = LoadingContext(
        {
            "construct_tool_object": construct_tool_object,
            "fetcher_constructor": OfflineFetcher,
            "skip_schemas": True,
        }
    )
    anchored = dict(document)
    # A relative id would be resolved against the working directory and fetched from there;
    # a blank-node document holding the process keeps every id inside the document.
    anchored["id"] = "_:package#" + (_short_id(str(document.get("id") or "")) or "main")
    return load_tool(anchored, loading_context)
