"""Forms of Developer mode (§21.1.1): a package given as a file, as text, or field by field.

The guided form builds the application-package document (§17.2.3) a developer would
otherwise paste; the view reads it with `package_read` like any other package, so one set
of rules judges every package however it was written.
"""

from apps.processes.forms.base import PackageBody
from apps.processes.forms.guided import GuidedPackage
from apps.processes.forms.package import PackageFileForm, PackageTextForm

__all__ = [
    "GuidedPackage",
    "PackageBody",
    "PackageFileForm",
    "PackageTextForm",
]
