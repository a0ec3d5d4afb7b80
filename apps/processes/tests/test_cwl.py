"""CWL packages: loading, checking, describing, and running them with cwltool."""

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from apps.accounts.models import User
from apps.jobs.reporting import JobDismissedError
from apps.processes.cwl import cwl_description, cwl_load, cwl_problems
from apps.processes.models import ExecutionUnitType, Process, ProcessState
from apps.processes.runners.base import ExecutionFailedError, OutputFile, RunContext
from apps.processes.runners.registry import runner_for
from apps.processes.services import processes_sync_builtins

pytestmark = pytest.mark.django_db

# §16.3 of the design, indented so that it is YAML, its steps wired by their outputs.
MULADD = """
cwlVersion: v1.0
$graph:
  - class: Workflow
    label: MulAdd
    doc: This application adds two numbers and multiplies the result by a third.
    id: muladd
    inputs:
      value1:
        type: double
        label: value1
        doc: The multiplicand.
      value2:
        type: double
        label: value2
        doc: First addend.
      value3:
        type: double
        label: value3
        doc: Second addend.
    outputs:
      result:
        type: double
        label: result
        outputSource: mul/result
    steps:
      add:
        run: "Add"
        in:
          value1: value2
          value2: value3
        out: [result]
      mul:
        run: "Mul"
        in:
          value1: value1
          value2: add/result
        out: [result]
"""

SHOUT = """
cwlVersion: v1.2
class: CommandLineTool
id: shout
label: Shout
doc: Upper-cases a text file, repeated, and counts its lines.
$namespaces:
  iana: https://www.iana.org/assignments/media-types/
baseCommand: [python3, -c]
arguments:
  - position: 0
    valueFrom: |
      import argparse, pathlib
      parser = argparse.ArgumentParser()
      parser.add_argument("source")
      parser.add_argument("--times", type=int)
      parser.add_argument("--name")
      arguments = parser.parse_args()
      text = pathlib.Path(arguments.source).read_text()
      pathlib.Path(arguments.name + ".txt").write_text(text.upper() * arguments.times)
      print(len(text.splitlines()), "lines")
inputs:
  source:
    type: File
    label: Text
    format: iana:text/plain
    inputBinding:
      position: 2
  times:
    type: int
    default: 1
    inputBinding:
      position: 1
      prefix: --times
  name:
    type: string?
    default: shouted
    inputBinding:
      position: 1
      prefix: --name
outputs:
  shouted:
    type: File
    format: iana:text/plain
    outputBinding:
      glob: $(inputs.name).txt
  report:
    type: stdout
  summary:
    type: string
    outputBinding:
      glob: lines.txt
      loadContents: true
      outputEval: $(self[0].contents)
stdout: lines.txt
"""

FAILING = """
cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sh, -c, 'echo "no such band: $0" >&2; exit 3']
inputs:
  band:
    type: string
    inputBinding:
      position: 1
outputs: {}
"""
FAILING_ENDING = "exited with status: 3. Tool output ends with: no such band: B12"


class RecordingReporter:
    """Records what a runner reports; `dismissed_after` reports make the next one raise."""

    def __init__(self, dismissed_after: int | None = None) -> None:
        self.reports: list[tuple[int, str]] = []
        self.lines: list[str] = []
        self.dismissed_after = dismissed_after

    def __call__(self, percent: int, message: str = "") -> None:
        if self.dismissed_after is not None and len(self.reports) >= self.dismissed_after:
            raise JobDismissedError("test-job")
        self.reports.append((percent, message))

    def log(self, line: str) -> None:
        self.lines.append(line)


@pytest.fixture
def reporter() -> RecordingReporter:
    return RecordingReporter()


def _context(workdir: Path, owner: User, reporter: RecordingReporter) -> RunContext:
    return RunContext(job_id="test-job", owner=owner, workdir=workdir, progress=reporter)


@pytest.fixture
def context(tmp_path: Path, alice: User, reporter: RecordingReporter) -> RunContext:
    workdir = tmp_path / "job"
    workdir.mkdir()
    return _context(workdir, alice, reporter)


@pytest.fixture
def cwl_process() -> Callable[..., Process]:
    def create(
        source: str | dict[str, Any],
        *,
        owner: User | None = None,
        state: str = ProcessState.PUBLISHED,
    ) -> Process:
        document = cwl_load(source)
        description = cwl_description(document)
        return Process.objects.create(
            identifier=description["id"],
            title=description["title"],
            description=description,
            execution_unit={"type": ExecutionUnitType.CWL, "unit": document},
            execution_unit_type=ExecutionUnitType.CWL,
            owner=owner,
            state=state,
        )

    return create


def _run(process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
    return runner_for(process).run(process, inputs, context)


def _failure(process: Process, inputs: dict[str, Any], context: RunContext) -> str:
    """Why the run fails: the message of its ExecutionFailedError."""
    with pytest.raises(ExecutionFailedError) as failure:
        _run(process, inputs, context)
    return str(failure.value)


def _workflow(
    identifier: str, *, inputs: dict[str, Any], outputs: dict[str, Any], steps: dict[str, Any]
) -> dict[str, Any]:
    return {
        "cwlVersion": "v1.2",
        "class": "Workflow",
        "id": identifier,
        "inputs": inputs,
        "outputs": outputs,
        "steps": steps,
    }


def _workflow_running(*identifiers: str) -> dict[str, Any]:
    """A workflow whose steps run the given processes one after the other on `value`."""
    steps: dict[str, Any] = {}
    source = "value"
    for index, identifier in enumerate(identifiers):
        steps[f"step{index}"] = {
            "run": identifier,
            "in": {"value1": source, "value2": source},
            "out": ["result"],
        }
        source = f"step{index}/result"
    return _workflow(
        "chain",
        inputs={"value": "double"},
        outputs={"result": {"type": "double", "outputSource": source}},
        steps=steps,
    )


def test_muladd_workflow_runs_the_platform_processes_its_steps_name(
    cwl_process: Callable[..., Process], context: RunContext, reporter: RecordingReporter
) -> None:
    # given the §16.3 workflow, deployed, and the built-in Add and Mul
    processes_sync_builtins()
    process = cwl_process(MULADD)

    # when it runs
    results = _run(process, {"value1": 10.2, "value2": 9.2, "value3": 4.3}, context)

    # then Mul multiplied value1 by what Add made of value2 and value3
    assert results == {"result": pytest.approx(137.7)}
    assert reporter.reports == [(50, "step 'add' finished"), (99, "step 'mul' finished")]
    assert "[step add] runs the process 'Add'" in reporter.lines
    assert "[step mul] runs the process 'Mul'" in reporter.lines
    assert "[workflow ] completed success" in reporter.lines
    assert not (context.workdir / "cwl").exists()


def test_a_workflow_run_again_by_the_same_worker_names_its_steps_as_the_first_time(
    cwl_process: Callable[..., Process], tmp_path: Path, alice: User
) -> None:
    # given the §16.3 workflow, run once in this process
    processes_sync_builtins()
    process = cwl_process(MULADD)
    inputs = {"value1": 10.2, "value2": 9.2, "value3": 4.3}
    (tmp_path / "first").mkdir()
    _run(process, inputs, _context(tmp_path / "first", alice, RecordingReporter()))

    # when it runs a second time
    second = RecordingReporter()
    (tmp_path / "second").mkdir()
    _run(process, inputs, _context(tmp_path / "second", alice, second))

    # then the second run log names the workflow and its steps by their ids, unnumbered
    assert second.lines[:3] == [
        "[workflow ] start",
        "[workflow ] starting step add",
        "[step add] start",
    ]
    assert "[step mul] completed success" in second.lines
    assert "[workflow ] completed success" in second.lines
    assert not any("_2]" in line for line in second.lines)


def test_command_line_tool_reads_a_staged_file_and_gives_files_and_values(
    cwl_process: Callable[..., Process], context: RunContext, reporter: RecordingReporter
) -> None:
    # given a tool that upper-cases a text file, and a staged input file
    process = cwl_process(SHOUT)
    staged = context.workdir / "inputs" / "source-0.txt"
    staged.parent.mkdir()
    staged.write_text("one\ntwo\n")

    # when it runs
    results = _run(process, {"source": staged, "times": 2, "name": "loud"}, context)

    # then its output files are in the job's folder, and its stdout is captured
    assert set(results) == {"shouted", "report", "summary"}
    shouted, report = results["shouted"], results["report"]
    assert shouted == OutputFile(context.workdir / "outputs" / "loud.txt", "text/plain")
    assert shouted.path.read_text() == "ONE\nTWO\nONE\nTWO\n"
    assert report == OutputFile(context.workdir / "outputs" / "lines.txt", "text/plain")
    assert report.path.read_text() == "2 lines\n"
    assert results["summary"] == "2 lines\n"
    assert any("python3 \\" in line for line in reporter.lines)
    assert not (context.workdir / "cwl").exists()


def test_failing_tool_fails_with_its_exit_status_and_standard_error(
    cwl_process: Callable[..., Process], context: RunContext
) -> None:
    process = cwl_process(FAILING)

    failure = _failure(process, {"band": "B12"}, context)

    assert failure == f"The CWL run failed: [job main] {FAILING_ENDING}"


def test_failing_tool_fails_the_workflow_step_running_it(
    cwl_process: Callable[..., Process], context: RunContext
) -> None:
    tool = {key: value for key, value in cwl_load(FAILING).items() if key != "cwlVersion"}
    process = cwl_process(
        _workflow(
            "check-band",
            inputs={"band": "string"},
            outputs={},
            steps={"check": {"run": tool, "in": {"band": "band"}, "out": []}},
        )
    )

    failure = _failure(process, {"band": "B12"}, context)

    assert failure == f"Step 'check' failed: [job check] {FAILING_ENDING}"


def test_failing_platform_process_fails_its_step(
    cwl_process: Callable[..., Process], context: RunContext
) -> None:
    # given a workflow whose second step runs a built-in that no longer exists
    processes_sync_builtins()
    Process.objects.filter(identifier="Mul").update(
        execution_unit={"type": "builtin", "function": "no-such-function"}
    )
    process = cwl_process(_workflow_running("Add", "Mul"))

    assert _failure(process, {"value": 2}, context) == (
        "Step 'step1' failed: the process 'Mul': The built-in process 'Mul' is gone."
    )


@pytest.mark.parametrize("identifier", ["NoSuchProcess", "danas-private-tool"])
def test_step_naming_a_process_the_owner_may_not_run_fails_before_running(
    identifier: str,
    cwl_process: Callable[..., Process],
    context: RunContext,
    reporter: RecordingReporter,
    dana: User,
) -> None:
    # given a private process of another user, and a workflow of alice's naming it
    processes_sync_builtins()
    cwl_process(
        _workflow_running("Add") | {"id": "danas-private-tool"},
        owner=dana,
        state=ProcessState.PRIVATE,
    )
    process = cwl_process(_workflow_running("Add", identifier) | {"id": "alices-chain"})

    assert _failure(process, {"value": 2}, context) == (
        f"A workflow step runs the process {identifier!r}, which does not exist"
        " or is not one you may run."
    )
    assert reporter.reports == []
    assert reporter.lines == []


def test_step_may_run_the_owners_own_private_process(
    cwl_process: Callable[..., Process], context: RunContext, alice: User
) -> None:
    # given alice's private process doubling a value, and her workflow squaring its result
    processes_sync_builtins()
    double = cwl_process(
        _workflow_running("Add") | {"id": "double-it"}, owner=alice, state=ProcessState.PRIVATE
    )
    square_the_double = _workflow(
        "square-the-double",
        inputs={"value": "double"},
        outputs={"result": {"type": "double", "outputSource": "square/result"}},
        steps={
            "double": {"run": double.identifier, "in": {"value": "value"}, "out": ["result"]},
            "square": {
                "run": "Mul",
                "in": {"value1": "double/result", "value2": "double/result"},
                "out": ["result"],
            },
        },
    )
    process = cwl_process(square_the_double)

    results = _run(process, {"value": 3}, context)

    assert results == {"result": pytest.approx(36)}


def test_dismissal_during_a_workflow_stops_it_and_reaches_the_job_runner(
    cwl_process: Callable[..., Process], tmp_path: Path, alice: User
) -> None:
    # given a reporter that says the job was dismissed once the first step is reported
    processes_sync_builtins()
    process = cwl_process(MULADD)
    reporter = RecordingReporter(dismissed_after=0)
    context = _context(tmp_path, alice, reporter)

    with pytest.raises(JobDismissedError):
        _run(process, {"value1": 1, "value2": 2, "value3": 3}, context)

    assert "[step add] runs the process 'Add'" in reporter.lines
    assert "[step mul] runs the process 'Mul'" not in reporter.lines


def test_dismissal_inside_a_platform_process_stops_the_workflow(
    cwl_process: Callable[..., Process], tmp_path: Path, alice: User
) -> None:
    # given a workflow running the built-in countdown, whose first report is refused
    processes_sync_builtins()
    process = cwl_process(
        _workflow(
            "wait-a-bit",
            inputs={"seconds": "int"},
            outputs={"waited": {"type": "int", "outputSource": "wait/waited"}},
            steps={"wait": {"run": "countdown", "in": {"seconds": "seconds"}, "out": ["waited"]}},
        )
    )
    reporter = RecordingReporter(dismissed_after=0)
    context = _context(tmp_path, alice, reporter)

    with pytest.raises(JobDismissedError):
        _run(process, {"seconds": 30}, context)

    assert reporter.reports == []


def test_a_process_running_itself_through_its_steps_fails(
    cwl_process: Callable[..., Process], context: RunContext
) -> None:
    process = cwl_process(
        _workflow(
            "forever",
            inputs={"value": "double"},
            outputs={"value": {"type": "double", "outputSource": "again/value"}},
            steps={"again": {"run": "forever", "in": {"value": "value"}, "out": ["value"]}},
        )
    )

    assert _failure(process, {"value": 1}, context) == (
        "Step 'again' failed: the process 'forever':"
        " The process 'forever' runs itself through its workflow steps."
    )


def test_several_output_files_are_zipped_into_one(
    cwl_process: Callable[..., Process], context: RunContext
) -> None:
    process = cwl_process(
        {
            "cwlVersion": "v1.2",
            "class": "CommandLineTool",
            "id": "split",
            "baseCommand": ["sh", "-c", "echo one > a.txt; echo two > b.txt"],
            "inputs": {},
            "outputs": {"parts": {"type": "File[]", "outputBinding": {"glob": "*.txt"}}},
        }
    )

    results = _run(process, {}, context)

    archive_path = context.workdir / "outputs" / "parts.zip"
    assert results == {"parts": OutputFile(archive_path, "application/zip")}
    with zipfile.ZipFile(archive_path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    assert contents == {"a.txt": b"one\n", "b.txt": b"two\n"}


def test_a_required_container_is_refused_without_an_engine(
    cwl_process: Callable[..., Process], context: RunContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    document = cwl_load(FAILING) | {"requirements": {"DockerRequirement": {"dockerPull": "alpine"}}}
    process = cwl_process(document)

    assert _failure(process, {"band": "B12"}, context) == (
        "This package requires a container (DockerRequirement), and this platform"
        " runs CWL without a container engine."
    )


def test_description_of_a_command_line_tool() -> None:
    description = cwl_description(cwl_load(SHOUT))

    def option(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": name,
            "description": "",
            "schema": schema,
            "minOccurs": 0,
            "maxOccurs": 1,
            "additionalParameters": {
                "role": "inputBinding",
                "parameters": [
                    {"name": "position", "value": [1]},
                    {"name": "prefix", "value": [f"--{name}"]},
                ],
            },
        }

    assert description == {
        "id": "shout",
        "title": "Shout",
        "description": "Upper-cases a text file, repeated, and counts its lines.",
        "inputs": {
            "source": {
                "title": "Text",
                "description": "",
                "schema": {
                    "type": "string",
                    "format": "uri",
                    "contentEncoding": "binary",
                    "contentMediaType": "text/plain",
                },
                "minOccurs": 1,
                "maxOccurs": 1,
                "additionalParameters": {
                    "role": "inputBinding",
                    "parameters": [{"name": "position", "value": [2]}],
                },
            },
            "times": option("times", {"type": "integer", "default": 1}),
            "name": option("name", {"type": "string", "default": "shouted"}),
        },
        "outputs": {
            "shouted": {
                "title": "shouted",
                "description": "",
                "schema": {
                    "type": "string",
                    "format": "uri",
                    "contentEncoding": "binary",
                    "contentMediaType": "text/plain",
                },
            },
            "report": {
                "title": "report",
                "description": "",
                "schema": {"type": "string", "format": "uri", "contentEncoding": "binary"},
            },
            "summary": {"title": "summary", "description": "", "schema": {"type": "string"}},
        },
    }


def test_description_of_the_muladd_workflow() -> None:
    description = cwl_description(cwl_load(MULADD))

    def number(title: str, doc: str) -> dict[str, Any]:
        return {
            "title": title,
            "description": doc,
            "schema": {"type": "number"},
            "minOccurs": 1,
            "maxOccurs": 1,
        }

    assert description == {
        "id": "muladd",
        "title": "MulAdd",
        "description": "This application adds two numbers and multiplies the result by a third.",
        "inputs": {
            "value1": number("value1", "The multiplicand."),
            "value2": number("value2", "First addend."),
            "value3": number("value3", "Second addend."),
        },
        "outputs": {"result": {"title": "result", "description": "", "schema": {"type": "number"}}},
    }


def test_description_of_arrays_and_optional_inputs() -> None:
    document = {
        "cwlVersion": "v1.2",
        "class": "Workflow",
        "id": "main",
        "label": "Stack bands",
        "inputs": {
            "bands": "File[]",
            "weights": {"type": {"type": "array", "items": "float"}},
            "note": "string?",
        },
        "outputs": {"stack": {"type": "File[]", "outputSource": "stack/out"}},
        "steps": {"stack": {"run": "stack-bands", "in": {"bands": "bands"}, "out": ["out"]}},
    }

    description = cwl_description(document)

    assert description["id"] == "Stack-bands"
    assert {
        name: (each["schema"], each["minOccurs"], each["maxOccurs"])
        for name, each in description["inputs"].items()
    } == {
        "bands": ({"type": "string", "format": "uri", "contentEncoding": "binary"}, 1, "unbounded"),
        "weights": ({"type": "number"}, 1, "unbounded"),
        "note": ({"type": "string"}, 0, 1),
    }
    assert description["outputs"]["stack"]["schema"] == {
        "type": "array",
        "items": {"type": "string", "format": "uri", "contentEncoding": "binary"},
    }


@pytest.mark.parametrize("source", [MULADD, SHOUT, FAILING])
def test_good_documents_have_no_problems(source: str) -> None:
    assert cwl_problems(cwl_load(source)) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda document: document.pop("cwlVersion"),
            "The document has no cwlVersion; add one, such as 'cwlVersion: v1.2'.",
        ),
        (
            lambda document: document.update(cwlVersion="draft-3"),
            "cwlVersion 'draft-3' is not supported; use one of v1.0, v1.1, v1.2.",
        ),
        (
            lambda document: document.update({"class": "Pipeline"}),
            "The class 'Pipeline' of process 'shout' is not one of CommandLineTool, Workflow,"
            " ExpressionTool.",
        ),
        (
            lambda document: document["inputs"]["times"].update(type="integer"),
            "Inputs 'times': Field 'type' references unknown identifier 'integer'.",
        ),
        (
            lambda document: document.update(inputs={"$import": "https://example.org/inputs.yml"}),
            "Validation error in field inputs: 'https://example.org/inputs.yml' is outside the"
            " document; packages must be self-contained.",
        ),
    ],
)
def test_broken_documents_have_their_problems_listed(
    change: Callable[[dict[str, Any]], object], problem: str
) -> None:
    document = cwl_load(SHOUT)
    change(document)

    assert cwl_problems(document) == [problem]


def test_steps_running_files_are_problems_but_process_identifiers_are_not() -> None:
    document = cwl_load(MULADD)
    document["steps"]["add"]["run"] = "path/to/file/add.cwl"

    assert cwl_problems(document) == [
        "Step 'add' runs 'path/to/file/add.cwl', which is neither written in the document nor"
        " the identifier of a process."
    ]


def test_graph_steps_naming_graph_entries_get_them_inline() -> None:
    document = cwl_load(
        {
            "cwlVersion": "v1.2",
            "$graph": [
                {
                    "class": "CommandLineTool",
                    "id": "echo",
                    "baseCommand": "echo",
                    "inputs": {"text": {"type": "string", "inputBinding": {"position": 1}}},
                    "outputs": {"said": "stdout"},
                },
                {
                    "class": "Workflow",
                    "id": "main",
                    "inputs": {"text": "string"},
                    "outputs": {"said": {"type": "File", "outputSource": "echo/said"}},
                    "steps": {"echo": {"run": "#echo", "in": {"text": "text"}, "out": ["said"]}},
                },
            ],
        }
    )

    assert document["id"] == "main"
    assert document["cwlVersion"] == "v1.2"
    assert document["steps"]["echo"]["run"]["baseCommand"] == "echo"
    assert cwl_problems(document) == []
