"""The platform's own processes (§16.2.2 Add and Mul, and small ones for demos and tests)."""

import time
from typing import Annotated, Any

from apps.processes.registry import Input, Output, ProgressReporter, builtin_process

NUMBER = {"type": "number"}


@builtin_process(
    outputs={"echo": Output(schema={}, title="The input, unchanged")},
    keywords=("test",),
    quick=True,
)
def echo(value: Annotated[Any, Input(title="Value", description="Anything at all.")]) -> dict:
    """Echo.

    Answers with the value it was given; handy for checking a client against the server.
    """
    return {"echo": value}


@builtin_process(id="Add", title="Add", outputs={"result": Output(schema=NUMBER)}, quick=True)
def add(
    value1: Annotated[float, Input(title="First Operand")],
    value2: Annotated[float, Input(title="Second Operand")],
) -> dict[str, float]:
    """Add.

    This process adds two numeric inputs.
    """
    return {"result": value1 + value2}


@builtin_process(id="Mul", title="Multiply", outputs={"result": Output(schema=NUMBER)}, quick=True)
def multiply(
    value1: Annotated[float, Input(title="First Operand")],
    value2: Annotated[float, Input(title="Second Operand")],
) -> dict[str, float]:
    """Multiply.

    This process multiplies two numeric inputs.
    """
    return {"result": round(value1 * value2, 12)}


@builtin_process(
    outputs={"waited": Output(schema={"type": "integer"}, title="Seconds waited")},
    job_control_options=("async-execute", "sync-execute", "dismiss"),
    keywords=("test", "demo"),
)
def countdown(
    seconds: Annotated[int, Input(schema={"minimum": 0, "maximum": 3600})],
    progress: ProgressReporter,
) -> dict[str, int]:
    """Countdown.

    Waits the given number of seconds, reporting its progress every second.

    Args:
        seconds: How long to wait.
    """
    for elapsed in range(seconds):
        progress(round(100 * elapsed / seconds), f"{seconds - elapsed} s to go")
        time.sleep(1)
    progress(100, "done")
    return {"waited": seconds}


@builtin_process(
    id="slow-square",
    outputs={
        "squares": Output(
            schema={"type": "array", "items": NUMBER}, title="The squares, in input order"
        )
    },
    job_control_options=("async-execute", "sync-execute", "dismiss"),
    keywords=("test", "demo"),
)
def slow_square(
    values: Annotated[
        list[float],
        Input(
            min_occurs=1,
            max_occurs="unbounded",
            processing_directives={"correlatedInputs": False},
        ),
    ],
    progress: ProgressReporter,
    seconds_per_value: Annotated[float, Input(schema={"minimum": 0, "maximum": 60})] = 0.5,
) -> dict[str, list[float]]:
    """Slow square.

    Squares numbers, taking its time over each. The numbers are independent of each other
    (correlatedInputs is false), so the platform runs many of them as parallel batches.

    Args:
        values: The numbers to square. A negative one makes the process fail, on purpose.
        seconds_per_value: How long each number takes.
    """
    squares = []
    for done, value in enumerate(values):
        progress(round(100 * done / len(values)), f"squaring {value}")
        if value < 0:
            raise ValueError(f"{value} is negative: slow-square fails on negative numbers.")
        time.sleep(seconds_per_value)
        squares.append(value * value)
    progress(100, "done")
    return {"squares": squares}
