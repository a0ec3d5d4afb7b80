"""A package as a file or as text, as a developer wrote it."""

from typing import Any

from django import forms

from apps.processes.forms.base import BootstrapForm, PackageBody
from apps.processes.packages import PACKAGE_MEDIA_TYPE

MAX_PACKAGE_BYTES = 1024 * 1024
CWL_FILE_MEDIA_TYPE = "application/cwl+yaml"


class PackageFileForm(BootstrapForm):
    """A package file; once valid, `text` holds its content."""

    text: str = ""
    package_file = forms.FileField(
        label="Package file",
        help_text="An application package in JSON or YAML, or a CWL document (.cwl).",
        error_messages={"required": "Choose a package file to upload."},
        widget=forms.FileInput(attrs={"accept": ".json,.yaml,.yml,.cwl"}),
    )

    def clean_package_file(self) -> Any:
        upload = self.cleaned_data["package_file"]
        if upload.size > MAX_PACKAGE_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB; a package is much smaller.")
        try:
            self.text = upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The file is not UTF-8 text.") from error
        return upload

    def body(self) -> PackageBody:
        """The uploaded package; `.cwl` files are read as CWL whatever their content."""
        name = self.cleaned_data["package_file"].name.lower()
        media_type = CWL_FILE_MEDIA_TYPE if name.endswith(".cwl") else PACKAGE_MEDIA_TYPE
        return PackageBody(self.text, media_type)


class PackageTextForm(BootstrapForm):
    package = forms.CharField(
        label="Package",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        help_text="JSON or YAML: an application package, or a CWL document.",
        error_messages={"required": "Paste a package first."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["package"].widget.attrs["class"] += " font-monospace small"

    def body(self) -> PackageBody:
        # No media type: `package_read` tells a CWL document by its `cwlVersion`.
        return PackageBody(self.cleaned_data["package"], "")
