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
import signal
import statistics
import subprocess
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
from apps.jobs.services import Submission, job_submit  # noqa: E402
from apps.processes.models import Process  # noqa: E402
from apps.processes.validation import execute_request_check  # noqa: E402
from marketplace.celery import app as celery_app  # noqa: E402


def _database_url() -> str:
    database = settings.DATABASES["default"]
    return (
        f"postgis://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )


def start_worker(name: str) -> subprocess.Popen[bytes]:
    """A real Celery worker with a single process, on the bench's database, Redis and queue."""
    node = f"{name}-{os.getpid()}"
    log = open(Path(settings.VAR_DIR) / f"bench-{name}.log", "wb")  # noqa: SIM115
    command = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "-Q", QUEUE]
    options = ["-c", "1", "--pool", "prefork", "--without-gossip", "--without-mingle"]
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [*command, *options, "-n", f"{node}@%h"],
        env={**os.environ, "DATABASE_URL": _database_url()},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"The worker {name} exited; see var/bench-{name}.log.")
        replies = celery_app.control.ping(timeout=1) or []
        if any(reply_node.startswith(f"{node}@") for reply in replies for reply_node in reply):
            return worker
    raise RuntimeError(f"The worker {name} did not answer within a minute.")


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def run_job(user: User, values: list[int], seconds: float) -> tuple[float, Job]:
    """Submit the request, wait for the job to succeed; the wall time and the job."""
    process = Process.objects.get(identifier="slow-square")
    body = {"inputs": {"values": values, "seconds_per_value": seconds}}
    started = time.perf_counter()
    job = job_submit(
        submission=Submission(
            user=user,
            process=process,
            request=execute_request_check(process.description, body),
            body=body,
            client_address=None,
            response_handlers=[],
        )
    )
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
    started = [start_worker(f"parallel{number}") for number in range(1, workers + 1)]
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
