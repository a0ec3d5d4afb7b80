"""Deployed workflows (`moaw`): the deployed process's own inputs put in the call's place."""

from typing import Any

_ABSENT = object()


def workflow_inputs_substitute(source: Any, values: dict[str, Any]) -> Any:
    """The workflow with every `{"input": name}` replaced by that input's value.

    An input not given drops the member (or list item) holding it, so the inner process's
    own default applies.
    """
    substituted = _substituted(source, values)
    return None if substituted is _ABSENT else substituted


def _is_input_reference(node: Any) -> bool:
    return isinstance(node, dict) and set(node) == {"input"} and isinstance(node["input"], str)


def _substituted(node: Any, values: dict[str, Any]) -> Any:
    if _is_input_reference(node):
        return values.get(node["input"], _ABSENT)
    if isinstance(node, dict):
        members = {key: _substituted(value, values) for key, value in node.items()}
        return {key: value for key, value in members.items() if value is not _ABSENT}
    if isinstance(node, list):
        items = [_substituted(item, values) for item in node]
        return [item for item in items if item is not _ABSENT]
    return node
