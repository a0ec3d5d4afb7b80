"""Fixtures shared by every app's tests."""

import importlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from apps.accounts.models import Role, User
from apps.accounts.services import user_approve, user_set_roles
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import Submission, job_dismiss, job_submit
from apps.ogc.errors import ConflictError
from apps.processes.models import Process
from apps.processes.validation import execute_request_check
from marketplace.celery import app as celery_app
from tests.peers import free_port

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters and revocations live in Redis; start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(
        username: str,
        *,
        roles: tuple[str, ...] = (Role.USER,),
        approved: bool = True,
        password: str = PASSWORD,
        **fields: str,
    ) -> User:
        user = User.objects.create_user(
            username=username,
            email=fields.pop("email", f"{username}@example.org"),
            password=password,
            **fields,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if approved:
            user = user_approve(user=user, approved_by=None)
        user_set_roles(user=user, roles=roles)
        return user

    return make


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    return make_user("alice", first_name="Alice", last_name="Liddell")


@pytest.fixture
def dana(make_user: Callable[..., User]) -> User:
    return make_user("dana", roles=(Role.USER, Role.DEVELOPER))


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user("root-admin", roles=(Role.USER, Role.ADMINISTRATOR))


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def _worker_environment() -> dict[str, str]:
    """The environment of a worker process that uses the test database and Redis."""
    database = settings.DATABASES["default"]
    url = (
        f"postgis://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "DATABASE_URL": url,
        "TEST_DATABASE_NAME": database["NAME"],
        "JOB_HEARTBEAT_SECONDS": "1",
    }


def start_worker(
    *,
    name: str,
    queues: str = "default,jobs,notifications",
    concurrency: int = 2,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a real Celery worker (prefork, `concurrency` children) on the test Redis and
    database; its log is var/test-worker-<name>.log."""
    log = open(Path(settings.VAR_DIR) / f"test-worker-{name}.log", "wb")  # noqa: SIM115
    node = f"{name}-{os.getpid()}@%h"
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "--pool",
            "prefork",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "-n",
            node,
        ],
        env={**_worker_environment(), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
        start_new_session=True,
    )
    log.close()
    _wait_until_ready(worker, node.split("@")[0])
    return worker


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _wait_until_ready(worker: subprocess.Popen[bytes], node: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"The Celery worker {node} exited; see var/test-worker-*.log.")
        replies = celery_app.control.ping(timeout=1) or []
        if any(name.startswith(f"{node}@") for reply in replies for name in reply):
            return
    raise RuntimeError(f"The Celery worker {node} did not answer within a minute.")


@pytest.fixture(scope="session")
def suite_worker(django_db_setup: None) -> Iterator[subprocess.Popen[bytes]]:
    """The suite's shared worker, started once on first use."""
    worker = start_worker(name="test")
    yield worker
    stop_worker(worker)


@pytest.fixture
def celery_worker_process(
    suite_worker: subprocess.Popen[bytes], transactional_db: None
) -> Iterator[subprocess.Popen[bytes]]:
    """The shared worker for one test; afterwards it is left idle.

    Jobs the test left unfinished are dismissed and the worker's tasks are
    waited for, so that flushing the database does not race a job's last writes.
    """
    yield suite_worker
    for job in Job.objects.filter(status__in=[JobStatus.ACCEPTED, JobStatus.RUNNING]):
        with suppress(ConflictError):
            job_dismiss(job=job)
    wait_until_idle(f"test-{os.getpid()}@{socket.gethostname()}")


def wait_until_idle(node: str, timeout: float = 30) -> None:
    """Wait until the Celery worker `node` runs no task; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = celery_app.control.inspect(destination=[node], timeout=1).active() or {}
        if not any(active.values()):
            return
        time.sleep(0.05)
    pytest.fail(f"The Celery worker {node} was still busy after {timeout} s.")


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30, every: float = 0.1) -> Any:
    """Poll until `predicate()` is truthy; return it, or fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"Timed out after {timeout} s waiting for {predicate}")


OGC_SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "ogc-schemas"


@pytest.fixture(scope="session")
def ogc_validate() -> Callable[[str, Any], None]:
    """`ogc_validate(kind, document)` against the official OGC schemas beside the project."""
    if str(OGC_SCHEMAS) not in sys.path:
        sys.path.insert(0, str(OGC_SCHEMAS))
    from validate import validate_instance

    return validate_instance


@pytest.fixture
def default_access_rules(db: None) -> None:
    """The rules a fresh installation has (its data migration); flushing tests remove them."""
    migration = importlib.import_module("apps.accounts.migrations.0003_default_access_rules")
    migration.create_default_rules(django_apps, None)


S3_CREDENTIALS = {"aws_access_key_id": "tep-test", "aws_secret_access_key": "tep-test-secret"}
BUCKETS = count(1)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A local S3-compatible server (moto_server) for the session."""
    port = free_port()
    log = open(Path(settings.VAR_DIR) / "test-moto.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start; see var/test-moto.log") from None
            time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def moto_client(moto_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", **S3_CREDENTIALS)


def use_s3(settings: Settings, endpoint: str, client: Any) -> None:
    """Make the platform's storage a new bucket of its own on the local S3 server."""
    bucket = f"tep-test-{next(BUCKETS)}"
    client.create_bucket(Bucket=bucket)
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGE_S3_BUCKET = bucket
    settings.STORAGE_S3_ENDPOINT_URL = endpoint
    settings.STORAGE_S3_REGION = "us-east-1"
    settings.STORAGE_S3_ACCESS_KEY_ID = S3_CREDENTIALS["aws_access_key_id"]
    settings.STORAGE_S3_SECRET_ACCESS_KEY = S3_CREDENTIALS["aws_secret_access_key"]
    settings.STORAGE_S3_ADDRESSING_STYLE = "path"


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None) -> Iterator[str]:
    """The real ASGI application (HTTP and WebSocket) served by uvicorn on the test database."""
    port = free_port()
    log = open(Path(settings.VAR_DIR) / "test-asgi.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [
            sys.executable,
            "-m",
            "uvicorn",
            "marketplace.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
        ],
        env=_worker_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
        start_new_session=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start; see var/test-asgi.log") from None
            time.sleep(0.2)
    yield url
    stop_worker(server)


def submit_job(user: User, process_identifier: str, body: dict[str, Any]) -> Job:
    """Submit a job through the service, as the execution endpoint does after its checks."""
    process = Process.objects.get(identifier=process_identifier)
    return job_submit(
        submission=Submission(
            user=user,
            process=process,
            request=execute_request_check(process.description, body),
            body=body,
            client_address=None,
            response_handlers=[],
        )
    )


@contextmanager
def serving_in_thread(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    """Serve a local stand-in HTTP server in a thread for the duration of a block."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
