"""Asynchronous job throughput and latency of OGC API - Processes servers, side by side.

    .venv/bin/python bench/jobs.py                         # the platform from `make run`
    .venv/bin/python bench/jobs.py --with-pygeoapi         # and pygeoapi's hello-world beside it

For each server, CONCURRENCY clients submit JOBS asynchronous executions of a trivial
process (`echo` here, `hello-world` on pygeoapi) and poll each job until it is
`successful`. A client reads the statusInfo of the 201 answer first and polls only while
that is not final, as OGC API - Processes allows; `--always-poll` polls at least once
anyway, as OWSLib and cuiman do. Printed: submissions per second (the submission requests
alone), jobs completed per second, and submit-to-successful latency (p50 and p99), then
the ratio of the platform's numbers to the peer's.

    .venv/bin/python bench/jobs.py --ceiling               # and a server that does nothing

`--ceiling` adds a row for `bench/noop_server.py` under uvicorn (as many workers as the
platform's web): it answers every submission finished without doing any work, so its row
is the most any server can score here with this client on the same cores.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.peers import pygeoapi_start


@dataclass
class Target:
    name: str
    url: str
    process: str
    body: Callable[[int], dict[str, Any]]
    token: str | None = None
    always_poll: bool = False


@dataclass
class Result:
    submit_seconds: list[float]
    latencies: list[float]
    wall_seconds: float
    failures: int


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


FINISHED = ("successful", "failed", "dismissed")


def _answered_status(response: requests.Response) -> str | None:
    """The job status the 201 answer tells, if its body is a statusInfo."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("status") if isinstance(body, dict) else None


def _run_client(target: Target, count: int, result: Result, lock: threading.Lock) -> None:
    session = requests.Session()
    if target.token:
        session.headers["Authorization"] = f"Bearer {target.token}"
    for number in range(count):
        started = time.perf_counter()
        response = session.post(
            f"{target.url}/processes/{target.process}/execution",
            json=target.body(number),
            headers={"Prefer": "respond-async"},
            timeout=60,
        )
        submitted = time.perf_counter()
        if response.status_code != 201:
            with lock:
                result.failures += 1
            continue
        location = response.headers["Location"]
        status = None if target.always_poll else _answered_status(response)
        while status not in FINISHED:
            status = session.get(location, timeout=60).json().get("status")
            if status not in FINISHED:
                time.sleep(0.005)
        finished = time.perf_counter()
        with lock:
            result.submit_seconds.append(submitted - started)
            if status == "successful":
                result.latencies.append(finished - started)
            else:
                result.failures += 1


def measure(target: Target, jobs: int, concurrency: int) -> Result:
    result = Result(submit_seconds=[], latencies=[], wall_seconds=0.0, failures=0)
    lock = threading.Lock()
    per_client = [
        jobs // concurrency + (1 if i < jobs % concurrency else 0) for i in range(concurrency)
    ]
    threads = [
        threading.Thread(target=_run_client, args=(target, count, result, lock))
        for count in per_client
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - started
    return result


def _row(name: str, result: Result, concurrency: int) -> dict[str, float]:
    submissions = (
        concurrency / statistics.mean(result.submit_seconds) if result.submit_seconds else 0
    )
    return {
        "submissions_per_s": submissions,
        "completed_per_s": len(result.latencies) / result.wall_seconds,
        "p50_ms": 1000 * _percentile(result.latencies, 0.5) if result.latencies else float("nan"),
        "p99_ms": 1000 * _percentile(result.latencies, 0.99) if result.latencies else float("nan"),
        "failures": result.failures,
    }


def start_pygeoapi(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """pygeoapi 0.24 with its PostgreSQL job manager, served by gunicorn (4 workers)."""
    database = os.environ.get(
        "PYGEOAPI_JOBS_DSN", "postgresql://postgres@127.0.0.1:5432/pygeoapi_jobs"
    )
    return pygeoapi_start(
        port=port, workdir=workdir, manager="PostgreSQL", connection=database, workers=4
    )


def prepare_pygeoapi_database(dsn: str) -> None:
    """Create the jobs table pygeoapi's PostgreSQL manager expects, if missing."""
    statement = (
        "DROP TABLE IF EXISTS jobs; CREATE TABLE jobs (type varchar default 'process', "
        "process_id varchar, identifier varchar primary key, status varchar, location varchar, "
        "mimetype varchar, created timestamptz, started timestamptz, finished timestamptz, "
        "updated timestamptz, progress integer, message varchar)"
    )
    base, _, name = dsn.rpartition("/")
    psql = shutil.which("psql") or "psql"
    subprocess.run(  # noqa: S603 - fixed arguments
        [psql, f"{base}/postgres", "-c", f"CREATE DATABASE {name}"],
        capture_output=True,
        check=False,
    )
    subprocess.run([psql, dsn, "-c", statement], capture_output=True, check=True)  # noqa: S603


def start_noop_server(port: int) -> subprocess.Popen[bytes]:
    """`bench/noop_server.py` under uvicorn, with the platform's number of web workers."""
    bench = Path(__file__).resolve().parent
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(Path(sys.executable).with_name("uvicorn")),
            "--app-dir",
            str(bench),
            "noop_server:app",
            "--port",
            str(port),
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "2"),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
        except requests.RequestException:
            time.sleep(0.2)
        else:
            return server
    server.kill()
    raise RuntimeError("the no-op server did not start")


def api_token(ogc_url: str, user: str, password: str) -> str:
    """A fresh personal token: HTTP Basic would hash the password on every request."""
    base = ogc_url.rsplit("/ogcapi", 1)[0]
    response = requests.post(
        f"{base}/api/accounts/tokens",
        json={"name": f"bench {time.time_ns()}"},
        auth=(user, password),
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["token"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000/ogcapi")
    parser.add_argument("--user", default="alice")
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "tep-demo-2026"))
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--with-pygeoapi", action="store_true")
    parser.add_argument("--pygeoapi-port", type=int, default=5055)
    parser.add_argument(
        "--always-poll", action="store_true", help="poll every job, even one answered finished"
    )
    parser.add_argument(
        "--ceiling", action="store_true", help="also measure a server that does nothing"
    )
    parser.add_argument("--ceiling-port", type=int, default=8077)
    arguments = parser.parse_args()

    targets = [
        Target(
            "TEP Marketplace",
            arguments.url,
            "echo",
            lambda n: {"inputs": {"value": n}},
            token=api_token(arguments.url, arguments.user, arguments.password),
            always_poll=arguments.always_poll,
        ),
    ]
    peer = None
    if arguments.with_pygeoapi:
        workdir = Path(tempfile.mkdtemp(prefix="bench-pygeoapi-"))
        dsn = os.environ.get(
            "PYGEOAPI_JOBS_DSN", "postgresql://postgres@127.0.0.1:5432/pygeoapi_jobs"
        )
        prepare_pygeoapi_database(dsn)
        peer = start_pygeoapi(arguments.pygeoapi_port, workdir)
        targets.append(
            Target(
                "pygeoapi 0.24 + PostgreSQL",
                f"http://127.0.0.1:{arguments.pygeoapi_port}",
                "hello-world",
                lambda n: {"inputs": {"name": f"bench {n}"}},
                always_poll=arguments.always_poll,
            )
        )
    noop = None
    if arguments.ceiling:
        noop = start_noop_server(arguments.ceiling_port)
        targets.append(
            Target(
                "no-op server (ceiling)",
                f"http://127.0.0.1:{arguments.ceiling_port}",
                "noop",
                lambda n: {"inputs": {"value": n}},
                always_poll=arguments.always_poll,
            )
        )
    rows = {}
    try:
        for target in targets:
            result = measure(target, arguments.jobs, arguments.concurrency)
            rows[target.name] = _row(target.name, result, arguments.concurrency)
    finally:
        for server in (peer, noop):
            if server is not None:
                server.terminate()
    print(f"{arguments.jobs} async jobs, {arguments.concurrency} concurrent clients")
    print(
        f"{'server':32} {'submit/s':>10} {'done/s':>10} {'p50 ms':>10} {'p99 ms':>10} {'failed':>7}"
    )
    for name, row in rows.items():
        print(
            f"{name:32} {row['submissions_per_s']:10.1f} {row['completed_per_s']:10.1f} "
            f"{row['p50_ms']:10.1f} {row['p99_ms']:10.1f} {row['failures']:7d}"
        )
    if arguments.with_pygeoapi:
        ours, theirs = rows["TEP Marketplace"], rows["pygeoapi 0.24 + PostgreSQL"]
        submit = ours["submissions_per_s"] / theirs["submissions_per_s"]
        completed = ours["completed_per_s"] / theirs["completed_per_s"]
        latency = theirs["p50_ms"] / ours["p50_ms"]
        print(
            f"ratio (ours / pygeoapi): submit {submit:.2f}x, completed {completed:.2f}x, "
            f"p50 latency {latency:.2f}x lower"
        )


if __name__ == "__main__":
    main()
