"""What every form of Developer mode shares: Bootstrap widgets, problems, the package body."""

from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class PackageBody:
    """A package as a request would carry it: its text and the media type it claims."""

    text: str
    media_type: str


class BootstrapForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, and `is-invalid` once in error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", _widget_class(field.widget))

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def problems(self) -> list[str]:
        return form_problems(self)


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def form_problems(form: forms.Form, label: str = "") -> list[str]:
    """A form's errors as sentences, each naming its field."""
    problems = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        where = ", ".join(part for part in (label, str(field.label) if field else "") if part)
        problems += [f"{where}: {error}" if where else str(error) for error in errors]
    return problems
