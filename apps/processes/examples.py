"""Functions `python` execution units may name out of the box (PROCESS_PYTHON_MODULES).

A package's unit `{"type": "python", "callable": "apps.processes.examples:scale"}` runs
one of them with the execute request's inputs as keyword arguments.
"""

from typing import Any


def scale(values: list[float], factor: float = 1.0) -> dict[str, Any]:
    """Multiply every value by a factor; also return their sum."""
    scaled = [value * factor for value in values]
    return {"scaled": scaled, "total": sum(scaled)}


def word_count(text: str) -> dict[str, Any]:
    """Count the words and lines of a text."""
    return {"words": len(text.split()), "lines": len(text.splitlines())}
