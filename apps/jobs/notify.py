"""Push notifications of job status (§19.8): e-mail, SMS and signed webhooks.

A request names where to notify with the `responseHandler` query parameter
(`mailto:`, `sms:` and `http(s)` URIs, notified when the job finishes) and with the OGC
`subscriber` object (`inProgressUri`, `successUri`, `failedUri`). Webhooks receive the
job's statusInfo, signed with HMAC-SHA256 in the `X-TEP-Signature` header.
"""

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from django.conf import settings
from django.core.mail import send_mail

from apps.jobs.api.ogc import status_info
from apps.jobs.models import Job, JobStatus
from apps.notifications.sms import sms_send
from apps.ogc.errors import ApplicationError
from apps.ogc.links import public_request
from apps.processes.staging import url_is_reachable

SIGNATURE_HEADER = "X-TEP-Signature"
IN_PROGRESS = "inProgress"
FINISHED = "finished"


def _check_webhook(uri: str) -> None:
    host = (urlsplit(uri).hostname or "").lower()
    if host in settings.WEBHOOK_ALLOWED_HOSTS:
        return
    if not url_is_reachable(uri):
        raise ApplicationError(f"Notifications may not be sent to {uri!r}.")


def notification_uri_check(uri: str) -> str:
    """A `mailto:`, `sms:` or http(s) URI the platform may notify; 400 otherwise."""
    scheme = urlsplit(uri).scheme.lower()
    if scheme == "mailto" and "@" in uri:
        return uri
    if scheme == "sms" and unquote(uri[4:]).lstrip("+").replace(" ", "").isdigit():
        return uri
    if scheme in ("http", "https"):
        _check_webhook(uri)
        return uri
    raise ApplicationError(f"{uri!r} is not a notification URI; use mailto:, sms: or http(s) URIs.")


def response_handlers_parse(raw_values: list[str]) -> list[str]:
    handlers = [value.strip() for raw in raw_values for value in raw.split(",") if value.strip()]
    return [notification_uri_check(uri) for uri in handlers]


def subscriber_check(subscriber: dict[str, str]) -> None:
    for uri in subscriber.values():
        if urlsplit(uri).scheme not in ("http", "https"):
            raise ApplicationError(f"Subscriber URIs must be http(s) URLs, not {uri!r}.")
        _check_webhook(uri)


def notifications_due(job: Job, moment: str) -> list[str]:
    """Where to send a notification now that the job is running or has finished."""
    subscriber = job.subscriber or {}
    if moment == IN_PROGRESS:
        return [subscriber["inProgressUri"]] if "inProgressUri" in subscriber else []
    targets = list(job.response_handlers)
    if job.status == JobStatus.SUCCESSFUL and "successUri" in subscriber:
        targets.append(subscriber["successUri"])
    if job.status == JobStatus.FAILED and "failedUri" in subscriber:
        targets.append(subscriber["failedUri"])
    return targets


def notification_document(job: Job) -> dict[str, Any]:
    """The job's statusInfo as it is now: what every notification of this moment tells."""
    return status_info(public_request(), job)


def _summary(document: dict[str, Any]) -> str:
    return f"Job {document['jobID']} ({document['processID']}) is {document['status']}."


def _post_webhook(uri: str, document: dict[str, Any]) -> None:
    body = json.dumps(document).encode()
    signature = hmac.new(settings.WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = requests.post(
        uri,
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: f"sha256={signature}"},
        timeout=15,
        allow_redirects=False,
    )
    response.raise_for_status()


def notification_deliver(*, uri: str, document: dict[str, Any]) -> None:
    """Send one notification of `document`; raises on failure so the task can retry."""
    scheme = urlsplit(uri).scheme.lower()
    job_url = public_request().build_absolute_uri(f"/ogcapi/jobs/{document['jobID']}")
    summary = _summary(document)
    if scheme == "mailto":
        send_mail(
            subject=summary,
            message=f"{summary}\n\nDetails: {job_url}\n",
            from_email=None,
            recipient_list=[unquote(uri[len("mailto:") :])],
        )
    elif scheme == "sms":
        sms_send(to=unquote(uri[len("sms:") :]), text=f"{summary} {job_url}")
    else:
        _check_webhook(uri)
        _post_webhook(uri, document)
