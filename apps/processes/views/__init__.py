"""Developer mode (§21.1.1) as pages: deploy, follow, replace and measure applications.

The pages call the services the JSON API calls (`package_read`, `process_deploy`,
`process_submit`, …), so a package deployed from a form and one posted to
`/ogcapi/processes` meet the same rules and the same refusals.
"""

from apps.processes.views.applications import (
    application_detail,
    application_list,
    application_submit,
    application_undeploy,
    application_withdraw,
)
from apps.processes.views.deploy import (
    application_deploy,
    application_deploy_preview,
    application_replace,
)
from apps.processes.views.statistics import application_statistics

__all__ = [
    "application_deploy",
    "application_deploy_preview",
    "application_detail",
    "application_list",
    "application_replace",
    "application_statistics",
    "application_submit",
    "application_undeploy",
    "application_withdraw",
]
