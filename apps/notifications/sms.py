"""Sending SMS through a pluggable backend chosen by the SMS_BACKEND setting."""

import logging
from typing import Protocol

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Writes messages to the log; for development."""

    def send(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


class HttpSmsBackend:
    """POSTs `{"from", "to", "text"}` as JSON to a provider's HTTP endpoint."""

    def send(self, *, to: str, text: str) -> None:
        response = requests.post(
            settings.SMS_HTTP_URL,
            json={"from": settings.SMS_SENDER, "to": to, "text": text},
            headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"},
            timeout=15,
        )
        response.raise_for_status()


def sms_send(*, to: str, text: str) -> None:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    backend.send(to=to, text=text)
