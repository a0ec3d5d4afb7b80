import pytest

from apps.ogc.errors import ApplicationError
from apps.processes.registry import registered_process
from apps.processes.validation import execute_request_check

MUL = registered_process("Mul").description_document()  # type: ignore[union-attr]
COUNTDOWN = registered_process("countdown").description_document()  # type: ignore[union-attr]


def _problems(description: dict, body: object) -> list[str]:
    with pytest.raises(ApplicationError) as raised:
        execute_request_check(description, body)
    assert raised.value.status == 400
    return raised.value.extra.get("problems", [raised.value.detail])


def test_specification_example_is_accepted() -> None:
    request = execute_request_check(MUL, {"inputs": {"value1": 10.2, "value2": 13.5}})
    assert request.inputs == {"value1": 10.2, "value2": 13.5}
    assert request.response == "document"


def test_qualified_values_are_unwrapped() -> None:
    request = execute_request_check(
        MUL, {"inputs": {"value1": {"value": 2, "mediaType": "application/json"}, "value2": 3}}
    )
    assert request.inputs == {"value1": 2, "value2": 3}


def test_every_problem_is_named() -> None:
    problems = _problems(
        MUL,
        {
            "inputs": {"value1": "ten", "colour": "red"},
            "outputs": {"nothing": {}},
            "response": "maybe",
            "extra": 1,
        },
    )
    assert problems == [
        "Unknown member 'extra' in the execute request.",
        "'response' must be 'document', 'raw' or 'publish'.",
        "Unknown input 'colour'.",
        "Input 'value1': 'ten' is not of type 'number'.",
        "Missing input 'value2'.",
        "Unknown output 'nothing'.",
    ]


def test_schema_keywords_are_enforced() -> None:
    assert _problems(COUNTDOWN, {"inputs": {"seconds": 7200}}) == [
        "Input 'seconds': 7200 is greater than the maximum of 3600."
    ]


@pytest.mark.parametrize("body", [[], "x", None, 3])
def test_request_must_be_an_object(body: object) -> None:
    assert _problems(MUL, body) == ["The execute request must be a JSON object."]


def test_too_many_values() -> None:
    assert _problems(MUL, {"inputs": {"value1": [1, 2], "value2": 1}}) == [
        "Input 'value1': [1, 2] is not of type 'number'."
    ]
