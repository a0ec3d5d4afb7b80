"""Wall time of one job split into parallel batches (§19.9), with one worker and with two.

    .venv/bin/python bench/parallel.py                   # 8 values, 1 s each, 3 runs
    .venv/bin/python bench/parallel.py --values 16 --seconds 0.5 --runs 5

The request is the built-in `slow-square` with VALUES uncorrelated values, each taking
SECONDS: it splits into min(VALUES, PARALLEL_MAX_BATCHES) batches. For 1 and then 2
workers it starts that many real Celery workers (prefork, concurrency 1 each), submits the
request through `job_submit`, and times submission to `successful`. Printed: the median
wall time of RUNS jobs for each worker count, how many batches each worker process ran,
and the ratio of the two times.

It needs PostgreSQL and Redis (`make install`), and keeps to its own database
(BENCH_DATABASE_NAME, default `bench_parallel`, created and migrated when missing) and
Redis database (BENCH_REDIS_URL, default redis://127.0.0.1:6379/6), with the test settings.
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "bench-parallel"

sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.test"
os.environ["TEST_DATABASE_NAME"] = os.environ.get("BENCH_DATABASE_NAME", "bench_parallel")
os.environ["TEST_REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ["JOBS_QUEUE"] = QUEUE

import django  # noqa: E402 - the environment above must be set before Django starts

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.jobs.models import Job, JobStatus  # noqa: E402
from tests.fixtures import start_worker, stop_worker, submit_job  # noqa: E402


def run_job(user: User, values: list[int], seconds: float) -> tuple[float, Job]:
    """Submit the request, wait for the job to succeed; the wall time and the job."""
    body = {"inputs": {"values": values, "seconds_per_value": seconds}}
    started = time.perf_counter()
    job = submit_job(user, "slow-square", body)
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.02)
    wall = time.perf_counter() - started
    if job.status != JobStatus.SUCCESSFUL:
        raise RuntimeError(f"The job {job.pk} ended {job.status}: {job.message}")
    if job.outputs.get().value != [value * value for value in values]:
        raise RuntimeError(f"The job {job.pk} gave wrong squares.")
    return wall, job


def measure(user: User, workers: int, values: list[int], seconds: float, runs: int) -> dict:
    # A worker with one process each, keeping the heartbeat of these settings (the tests'
    # workers beat every second).
    started = [
        start_worker(
            name=f"bench-parallel{number}",
            queues=QUEUE,
            concurrency=1,
            env={"JOB_HEARTBEAT_SECONDS": str(settings.JOB_HEARTBEAT_SECONDS)},
        )
        for number in range(1, workers + 1)
    ]
    try:
        results = [run_job(user, values, seconds) for _ in range(runs)]
    finally:
        for worker in started:
            stop_worker(worker)
    walls = [wall for wall, _job in results]
    last_job = results[-1][1]
    per_process = Counter(last_job.batches.values_list("worker", flat=True))
    return {"wall": statistics.median(walls), "per_process": sorted(per_process.values())}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--values", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    user, _created = User.objects.get_or_create(
        username="bench-parallel", defaults={"email": "bench-parallel@example.org"}
    )
    values = list(range(1, arguments.values + 1))
    rows = {
        workers: measure(user, workers, values, arguments.seconds, arguments.runs)
        for workers in (1, 2)
    }
    batches = min(arguments.values, int(getattr(settings, "PARALLEL_MAX_BATCHES", 8)))
    print(
        f"slow-square: {arguments.values} values x {arguments.seconds:g} s in {batches} batches, "
        f"median of {arguments.runs} jobs"
    )
    print(f"{'workers':>8} {'wall s':>8}  batches run by each worker process")
    for workers, row in rows.items():
        shares = " + ".join(str(count) for count in row["per_process"])
        print(f"{workers:>8} {row['wall']:8.2f}  {shares}")
    print(f"ratio (1 worker / 2 workers): {rows[1]['wall'] / rows[2]['wall']:.2f}x faster")


if __name__ == "__main__":
    main()
