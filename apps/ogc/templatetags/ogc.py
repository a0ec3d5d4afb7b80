import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def to_json(value: Any) -> str:
    """A value as compact JSON, for showing schemas and documents on pages."""
    return json.dumps(value, ensure_ascii=False)
