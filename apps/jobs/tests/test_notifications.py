"""Push notifications of job status by e-mail, SMS and signed webhooks (§19.5, §19.8)."""

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.notifications.models import Event, EventType
from apps.processes.services import processes_sync_builtins
from tests.clients import client_of
from tests.fixtures import start_worker, stop_worker, wait_for
from tests.ogc import execute
from tests.receivers import Receiver, running_receiver

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_access_rules"),
]

JOBS_QUEUE, NOTIFICATIONS_QUEUE = "jobs-notify-test", "notifications-notify-test"
MAIL_DIR = Path(settings.VAR_DIR) / "test-mail-notify"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    with running_receiver(failures={"/flaky": 2}) as receiver:
        settings.JOBS_QUEUE = JOBS_QUEUE
        settings.NOTIFICATIONS_QUEUE = NOTIFICATIONS_QUEUE
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
        for old in MAIL_DIR.glob("*"):
            old.unlink()
        worker = start_worker(
            name="notify",
            queues=f"{JOBS_QUEUE},{NOTIFICATIONS_QUEUE}",
            env={
                "JOBS_QUEUE": JOBS_QUEUE,
                "NOTIFICATIONS_QUEUE": NOTIFICATIONS_QUEUE,
                "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                "WEBHOOK_SECRET": "webhook-test-secret",
                "SMS_BACKEND": "apps.notifications.sms.HttpSmsBackend",
                "SMS_HTTP_URL": f"{receiver.url}/sms",
                "SMS_HTTP_TOKEN": "sms-token",
                "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(MAIL_DIR),
                "NOTIFICATION_RETRY_SECONDS": "0.2",
                "PUBLIC_BASE_URL": "https://tep.example",
            },
        )
        yield receiver
        stop_worker(worker)


def test_job_end_notifies_every_handler(alice: User, receiver: Receiver) -> None:
    # given alice asks to be told by mail, SMS, a webhook and the OGC subscriber callbacks
    processes_sync_builtins()
    handlers = f"mailto:alice@example.org,sms:+15550100,{receiver.url}/hook"
    body = {
        "inputs": {"value1": 6, "value2": 7},
        "subscriber": {
            "inProgressUri": f"{receiver.url}/progress",
            "successUri": f"{receiver.url}/success",
            "failedUri": f"{receiver.url}/failed",
        },
    }

    # when the job runs
    response = execute(client_of(alice), "Mul", body, response_handler=handlers)

    # then it was accepted asynchronously and every handler hears of the end
    assert response.status_code == 201
    job = Job.objects.get(pk=response.json()["jobID"])
    wait_for(lambda: len(receiver.received) >= 4 and list(MAIL_DIR.glob("*.log")))
    (hook,) = receiver.bodies("/hook")
    (success,) = receiver.bodies("/success")
    (progress,) = receiver.bodies("/progress")
    (sms,) = receiver.bodies("/sms")
    assert (hook["jobID"], hook["status"]) == (str(job.pk), "successful")
    assert success["status"] == "successful"
    assert progress["status"] == "running"
    assert receiver.bodies("/failed") == []
    assert sms["to"] == "+15550100"
    assert (
        sms["text"] == f"Job {job.pk} (Mul) is successful. https://tep.example/ogcapi/jobs/{job.pk}"
    )
    signed = next(item for item in receiver.received if item["path"] == "/hook")
    expected = hmac.new(b"webhook-test-secret", signed["body"], hashlib.sha256).hexdigest()
    assert signed["headers"]["X-TEP-Signature"] == f"sha256={expected}"
    mail = next(MAIL_DIR.glob("*.log")).read_text()
    assert "To: alice@example.org" in mail
    assert f"Subject: Job {job.pk} (Mul) is successful." in mail
    event = Event.objects.get(event_type=EventType.JOB_COMPLETED)
    assert event.property_dict()["jobId"] == str(job.pk)


def test_failing_webhook_is_retried_and_logged(alice: User, receiver: Receiver) -> None:
    processes_sync_builtins()
    response = execute(
        client_of(alice),
        "Add",
        {"inputs": {"value1": 1, "value2": 1}},
        response_handler=f"{receiver.url}/flaky",
    )
    job = Job.objects.get(pk=response.json()["jobID"])

    notified = f"notified {receiver.url}/flaky"
    wait_for(lambda: job.log_lines.filter(line=notified).exists(), timeout=30)

    job.refresh_from_db()
    assert job.status != JobStatus.FAILED
    lines = list(job.log_lines.values_list("line", flat=True))
    assert sum("failed, retrying" in line for line in lines) == 2
    assert lines[-1] == notified


@pytest.mark.parametrize(
    ("handler", "detail"),
    [
        (
            "ftp://example.org/x",
            "'ftp://example.org/x' is not a notification URI; use mailto:, sms: or http(s) URIs.",
        ),
        ("http://10.0.0.5/hook", "Notifications may not be sent to 'http://10.0.0.5/hook'."),
        (
            "sms:call-me",
            "'sms:call-me' is not a notification URI; use mailto:, sms: or http(s) URIs.",
        ),
    ],
)
def test_bad_response_handlers_are_refused(alice: User, handler: str, detail: str) -> None:
    processes_sync_builtins()
    response = execute(
        client_of(alice), "Add", {"inputs": {"value1": 1, "value2": 1}}, response_handler=handler
    )
    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert not Job.objects.exists()
