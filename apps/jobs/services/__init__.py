"""Job lifecycle: submit, run (in a worker, or at once for quick processes), dismiss,
delete, notify, and recover lost jobs."""

from apps.jobs.services.dismissal import job_delete, job_dismiss
from apps.jobs.services.finishing import EXCEPTION_TYPE, job_output_rows, job_results_check
from apps.jobs.services.notifying import job_notify
from apps.jobs.services.recovery import jobs_recover_lost
from apps.jobs.services.running import job_process, job_run, job_silent_since, job_workdir
from apps.jobs.services.submission import Submission, job_submit

__all__ = [
    "EXCEPTION_TYPE",
    "Submission",
    "job_delete",
    "job_dismiss",
    "job_notify",
    "job_output_rows",
    "job_process",
    "job_results_check",
    "job_run",
    "job_silent_since",
    "job_submit",
    "job_workdir",
    "jobs_recover_lost",
]
