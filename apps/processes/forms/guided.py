"""The guided form: an application package (§17.2.3) built field by field."""

import json
import math
import shlex
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict

from apps.processes.forms.base import BootstrapForm, PackageBody, form_problems
from apps.processes.models import ExecutionUnitType
from apps.processes.packages import IDENTIFIER, PACKAGE_MEDIA_TYPE

APPLICATION_IDENTIFIER = RegexValidator(
    IDENTIFIER, "Use letters, digits, '.', '_' or '-', starting with a letter or digit."
)
PARAMETER_IDENTIFIER = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_.-]*$",
    "Use letters, digits, '_', '.' or '-', starting with a letter or '_'.",
)
UNIT_TYPES = [
    (ExecutionUnitType.DOCKER.value, "Container image (docker)"),
    (ExecutionUnitType.PYTHON.value, "Python function (python)"),
]
FILE_TYPE = "file"
INPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "uri": {"type": "string", "format": "uri"},
    FILE_TYPE: {"type": "string", "contentEncoding": "binary"},
}
OUTPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "object": {"type": "object"},
    "array": {"type": "array"},
    FILE_TYPE: {"type": "string", "contentEncoding": "binary"},
}
TYPE_LABELS = {
    "string": "Text",
    "number": "Number",
    "integer": "Whole number",
    "boolean": "Yes / no",
    "date": "Date",
    "uri": "URL",
    "object": "JSON object",
    "array": "List",
    FILE_TYPE: "File (media type)",
}
SEPARATE_ARGUMENT = "space"
JOINED_ARGUMENT = "equals"
SEPARATORS = [
    (SEPARATE_ARGUMENT, "space: --name value"),
    (JOINED_ARGUMENT, "equals: --name=value"),
]
RESOURCE_FIELDS = (
    ("cpuMin", "cpu_min"),
    ("cpuMax", "cpu_max"),
    ("memoryMin", "memory_min"),
    ("memoryMax", "memory_max"),
    ("storageTempMin", "storage_temp_min"),
    ("jobTimeout", "job_timeout"),
)


def _number_field(label: str, help_text: str = "") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )


class ApplicationDetailsForm(BootstrapForm):
    """What the application is, and the execution unit that runs it."""

    identifier = forms.CharField(
        label="Identifier",
        max_length=200,
        validators=[APPLICATION_IDENTIFIER],
        help_text="Letters, digits, '.', '_' and '-'; it becomes the application's address.",
    )
    version = forms.CharField(label="Version", max_length=50, initial="1.0.0")
    title = forms.CharField(label="Title", max_length=300)
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the application does and what it needs; users read it before running it.",
    )
    keywords = forms.CharField(
        label="Keywords", required=False, help_text="Separated by commas: NDVI, Sentinel-2"
    )
    unit_type = forms.ChoiceField(label="Execution unit", choices=UNIT_TYPES)
    image = forms.CharField(
        label="Container image",
        required=False,
        help_text="[registry/]name:tag, or a digest; prefer a fixed tag to 'latest'.",
    )
    command = forms.CharField(
        label="Command",
        required=False,
        help_text="Run before the inputs' arguments, e.g. python /app/run.py",
    )
    callable = forms.CharField(
        label="Function",
        required=False,
        help_text="module:function of a module the platform allows.",
    )
    cpu_min = _number_field("CPU cores, minimum")
    cpu_max = _number_field("CPU cores, maximum")
    memory_min = _number_field("Memory, minimum (GB)")
    memory_max = _number_field("Memory, maximum (GB)")
    storage_temp_min = _number_field("Temporary storage (GB)")
    job_timeout = forms.IntegerField(
        label="Job timeout (seconds)",
        required=False,
        min_value=1,
        help_text="A job running longer is stopped and fails.",
    )

    def clean_command(self) -> list[str]:
        try:
            return shlex.split(self.cleaned_data["command"])
        except ValueError as error:
            raise forms.ValidationError(
                f"The command cannot be split into words: {error}."
            ) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit_type = cleaned.get("unit_type")
        if unit_type == ExecutionUnitType.DOCKER and not cleaned.get("image"):
            self.add_error("image", "A docker unit needs a container image.")
        if unit_type == ExecutionUnitType.PYTHON and not cleaned.get("callable"):
            self.add_error("callable", "A python unit needs a function (module:function).")
        return cleaned


def _type_field(schemas: dict[str, dict[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Type", choices=[(name, TYPE_LABELS[name]) for name in schemas], initial="string"
    )


class ParameterForm(BootstrapForm):
    """What an input and an output of the guided form share; each declares its `type`."""

    field_order = ("identifier", "title", "description", "type", "media_type")

    identifier = forms.CharField(
        label="Identifier", max_length=200, validators=[PARAMETER_IDENTIFIER]
    )
    title = forms.CharField(label="Title", max_length=300, required=False)
    description = forms.CharField(label="Description", required=False)
    media_type = forms.CharField(
        label="Media type", required=False, widget=forms.TextInput(attrs={"list": "media-types"})
    )


class InputForm(ParameterForm):
    type = _type_field(INPUT_SCHEMAS)
    required = forms.BooleanField(label="Required", required=False, initial=True)
    multiple = forms.BooleanField(label="Several values", required=False)
    default = forms.CharField(label="Default", required=False)
    argument_prefix = forms.CharField(label="Command-line prefix", required=False)
    separator = forms.ChoiceField(
        label="Between prefix and value", choices=SEPARATORS, initial=SEPARATE_ARGUMENT
    )
    position = forms.IntegerField(label="Position", required=False, min_value=0)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = cleaned.get("default")
        kind = cleaned.get("type")
        if raw and kind:
            try:
                cleaned["default"] = _typed_value(raw, kind)
            except ValueError:
                self.add_error("default", f"{raw!r} is not a value of type {TYPE_LABELS[kind]}.")
        return cleaned


class OutputForm(ParameterForm):
    type = _type_field(OUTPUT_SCHEMAS)


InputFormSet = forms.formset_factory(InputForm, extra=1)
OutputFormSet = forms.formset_factory(OutputForm, extra=1)


def _typed_value(raw: str, kind: str) -> Any:
    """A default typed as its input's schema says; ValueError when it is not one."""
    if kind == "integer":
        return int(raw)
    if kind == "number":
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError(raw)
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        words = {"true": True, "yes": True, "false": False, "no": False}
        if raw.strip().lower() not in words:
            raise ValueError(raw)
        return words[raw.strip().lower()]
    return raw


class GuidedPackage:
    """The guided form: the application's details, its inputs and its outputs.

    Rows left as they were offered (an empty extra row) are not part of the package.
    """

    def __init__(self, data: QueryDict | None = None) -> None:
        self.details = ApplicationDetailsForm(data)
        self.inputs = InputFormSet(data, prefix="inputs")
        self.outputs = OutputFormSet(data, prefix="outputs")

    def is_valid(self) -> bool:
        return all([self.details.is_valid(), self.inputs.is_valid(), self.outputs.is_valid()])

    def problems(self) -> list[str]:
        problems = form_problems(self.details)
        for kind, formset in (("Input", self.inputs), ("Output", self.outputs)):
            for position, form in enumerate(formset.forms, start=1):
                problems += form_problems(form, f"{kind} {position}")
            problems += [str(error) for error in formset.non_form_errors()]
        return problems

    def document(self) -> dict[str, Any]:
        """The application package the valid form describes, in the §17.2.3 encoding."""
        details = self.details.cleaned_data
        unit_type = details["unit_type"]
        description: dict[str, Any] = {
            "id": details["identifier"],
            "title": details["title"],
            "description": details["description"],
            "version": details["version"],
        }
        keywords = [word.strip() for word in details["keywords"].split(",") if word.strip()]
        if keywords:
            description["keywords"] = keywords
        description["inputs"] = [
            _input_entry(data, unit_type) for data in _filled_rows(self.inputs)
        ]
        description["outputs"] = [
            _parameter_entry(data, OUTPUT_SCHEMAS) for data in _filled_rows(self.outputs)
        ]
        if unit_type == ExecutionUnitType.PYTHON:
            if details["job_timeout"]:
                description["jobTimeout"] = details["job_timeout"]
            unit: dict[str, Any] = {"type": unit_type, "callable": details["callable"]}
        else:
            unit = _docker_unit(details)
        return {"processDescription": description, "executionUnit": unit}

    def body(self) -> PackageBody:
        return PackageBody(json.dumps(self.document()), PACKAGE_MEDIA_TYPE)


def _filled_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


def _parameter_entry(data: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    schema = dict(schemas[data["type"]])
    if data["type"] == FILE_TYPE and data["media_type"]:
        schema["contentMediaType"] = data["media_type"]
    entry: dict[str, Any] = {"id": data["identifier"], "title": data["title"] or data["identifier"]}
    if data["description"]:
        entry["description"] = data["description"]
    entry["schema"] = schema
    return entry


def _input_entry(data: dict[str, Any], unit_type: str) -> dict[str, Any]:
    entry = _parameter_entry(data, INPUT_SCHEMAS)
    if data["default"] not in (None, ""):
        entry["schema"]["default"] = data["default"]
    entry["minOccurs"] = 1 if data["required"] else 0
    entry["maxOccurs"] = "unbounded" if data["multiple"] else 1
    binding = _input_binding(data) if unit_type == ExecutionUnitType.DOCKER else []
    if binding:
        entry["additionalParameters"] = [{"role": "inputBinding", "parameters": binding}]
    return entry


def _input_binding(data: dict[str, Any]) -> list[dict[str, Any]]:
    """§17.2.4 input binding; without a prefix or position the input stays off the command line."""
    parameters: list[dict[str, Any]] = []
    if data["position"] is not None:
        parameters.append({"name": "position", "value": [data["position"]]})
    if data["argument_prefix"]:
        parameters.append({"name": "prefix", "value": [data["argument_prefix"]]})
        if data["separator"] == JOINED_ARGUMENT:
            parameters.append({"name": "argumentSeparator", "value": ["="]})
    return parameters


def _docker_unit(details: dict[str, Any]) -> dict[str, Any]:
    unit: dict[str, Any] = {"type": ExecutionUnitType.DOCKER.value, "image": details["image"]}
    if details["command"]:
        unit["command"] = details["command"]
    config = {
        name: _plain_number(details[field])
        for name, field in RESOURCE_FIELDS
        if details[field] is not None
    }
    if config:
        unit["config"] = config
    return unit


def _plain_number(value: float) -> int | float:
    """2.0 as 2, so that the package reads as a developer would write it."""
    return int(value) if float(value).is_integer() else value
