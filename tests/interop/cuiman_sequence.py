"""Runs cuiman's Python client through a whole job life against a server.

Run with the peers' Python (cuiman needs Python 3.12): prints a JSON summary on success,
raises on any mismatch. Usage: cuiman_sequence.py API_URL USERNAME PASSWORD
"""

import json
import sys
import time

from cuiman import Client
from cuiman.api.auth.config import BasicAuthConfig
from gavicore.models import ProcessRequest

ASYNC = {"Prefer": "respond-async"}


def main(api_url: str, username: str, password: str) -> None:
    client = Client(api_url=api_url, auth=BasicAuthConfig(username=username, password=password))
    processes = [process.id for process in client.get_processes().processes]
    description = client.get_process("Mul")
    job = client.execute_process(
        "Mul", ProcessRequest(inputs={"value1": 10.2, "value2": 13.5}), headers=ASYNC
    )
    deadline = time.monotonic() + 30
    while (status := client.get_job(job.jobID)).status.value not in ("successful", "failed"):
        if time.monotonic() > deadline:
            raise TimeoutError("the job did not finish")
        time.sleep(0.2)
    results = client.get_job_results(job.jobID).root
    countdown = client.execute_process(
        "countdown", ProcessRequest(inputs={"seconds": 30}), headers=ASYNC
    )
    dismissed = client.dismiss_job(countdown.jobID)
    jobs = [listed.jobID for listed in client.get_jobs().jobs]
    print(
        json.dumps(
            {
                "processes": processes,
                "mulInputs": sorted(description.inputs),
                "status": status.status.value,
                "results": {key: getattr(value, "root", value) for key, value in results.items()},
                "dismissed": dismissed.status.value,
                "jobs": jobs,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
