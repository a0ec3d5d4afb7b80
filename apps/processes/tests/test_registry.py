from typing import Annotated, Literal

import pytest
from django.test import Client

from apps.processes import builtins
from apps.processes.registry import (
    Input,
    Output,
    ProcessDefinitionError,
    ProgressReporter,
    builtin_process,
    parse_docstring,
    registered_process,
    schema_for,
)
from apps.processes.services import processes_sync_builtins


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (str, {"type": "string"}),
        (int, {"type": "integer"}),
        (float, {"type": "number"}),
        (bool, {"type": "boolean"}),
        (list[float], {"type": "array", "items": {"type": "number"}}),
        (Literal["red", "nir"], {"type": "string", "enum": ["red", "nir"]}),
        (int | None, {"type": "integer"}),
        (int | str, {"oneOf": [{"type": "integer"}, {"type": "string"}]}),
        (Annotated[int, Input(schema={"minimum": 1})], {"type": "integer", "minimum": 1}),
    ],
)
def test_schema_for_annotations(annotation: object, schema: dict) -> None:
    assert schema_for(annotation) == schema


def test_unknown_annotation_is_refused() -> None:
    with pytest.raises(ProcessDefinitionError):
        schema_for(bytearray)


def test_docstring_gives_title_description_and_arguments() -> None:
    title, description, arguments = parse_docstring(
        """Zonal time series.

        Mean of each band inside a polygon,
        as a JSON series.

        Args:
            raster: The multi-band raster.
            polygon (dict): The zone, as GeoJSON;
                in WGS 84.
        """
    )
    assert title == "Zonal time series"
    assert description == "Zonal time series. Mean of each band inside a polygon, as a JSON series."
    assert arguments == {
        "raster": "The multi-band raster.",
        "polygon": "The zone, as GeoJSON; in WGS 84.",
    }


def test_description_derived_from_signature() -> None:
    @builtin_process(id="scale-test", outputs={"scaled": Output(schema={"type": "number"})})
    def scale(
        value: float,
        progress: ProgressReporter,
        factor: Annotated[float, Input(title="Factor", schema={"minimum": 0})] = 2.0,
        unit: str | None = None,
    ) -> dict[str, float]:
        """Scale a value.

        Args:
            value: The value to scale.
        """
        return {"scaled": value * factor}

    process = registered_process("scale-test")
    assert process is not None
    assert process.progress_parameter == "progress"
    assert process.inputs == {
        "value": {
            "title": "Value",
            "description": "The value to scale.",
            "schema": {"type": "number"},
            "minOccurs": 1,
            "maxOccurs": 1,
        },
        "factor": {
            "title": "Factor",
            "description": "",
            "schema": {"type": "number", "minimum": 0, "default": 2.0},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "unit": {
            "title": "Unit",
            "description": "",
            "schema": {"type": "string"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    }


def test_mul_is_described_as_in_the_specification() -> None:
    document = registered_process("Mul").description_document()  # type: ignore[union-attr]
    assert document["title"] == "Multiply"
    assert document["description"] == "Multiply. This process multiplies two numeric inputs."
    assert document["inputs"]["value1"]["title"] == "First Operand"
    assert document["inputs"]["value2"]["schema"] == {"type": "number"}
    assert document["outputs"]["result"]["schema"] == {"type": "number"}
    assert builtins.multiply(10.2, 13.5) == {"result": 137.7}


def test_countdown_reports_progress(monkeypatch) -> None:
    monkeypatch.setattr(builtins.time, "sleep", lambda seconds: None)
    reported: list[tuple[int, str]] = []
    result = builtins.countdown(3, lambda percent, message="": reported.append((percent, message)))
    assert result == {"waited": 3}
    assert reported == [(0, "3 s to go"), (33, "2 s to go"), (67, "1 s to go"), (100, "done")]


@pytest.mark.django_db
@pytest.mark.usefixtures("default_access_rules")
def test_schema_shown_as_json_on_the_process_page(client: Client) -> None:
    processes_sync_builtins()
    page = client.get("/ogcapi/processes/Mul?f=html")
    assert b'<code class="small">{&quot;type&quot;: &quot;number&quot;}</code>' in page.content
