"""Running a process of a trusted remote TEP (a `RemoteProvider`) through OGC API - Processes 1.0.

A workflow names a remote process by its URL, `{provider url}/processes/{id}`. Only URLs
of an enabled, registered provider are ever requested, so a request cannot make the
platform reach an arbitrary host; every request goes to a URL built from the provider's
registered address, redirects are not followed, and one deadline bounds the whole run.

The remote is asked for a results document, synchronously unless its description offers
asynchronous execution only; an asynchronous job is followed by polling its status.
Results are read from an OGC results document (`{output id: value}`), the `{"outputs":
[{"id", "value"}]}` form of older servers, pygeoapi's `{"id", "value"}`, or a raw body.
"""

import json
import mimetypes
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import requests
from django.conf import settings

from apps.processes.models import RemoteProvider
from apps.processes.runners.base import ExecutionFailedError, OutputFile
from apps.processes.staging import response_saved

JSON_MEDIA_TYPE = "application/json"
FINAL_STATUSES = {"successful", "failed", "dismissed"}
CONNECT_TIMEOUT_SECONDS = 10
POLL_FIRST_SECONDS = 0.1
POLL_MAX_SECONDS = 2.0


class RemoteProcessError(ExecutionFailedError):
    """The remote process could not be run, or failed; the message names it."""


@dataclass(frozen=True)
class RemoteProcess:
    provider: RemoteProvider
    identifier: str

    @property
    def url(self) -> str:
        return f"{_base(self.provider.url)}processes/{quote(self.identifier, safe='')}"


def _base(url: str) -> str:
    return url.rstrip("/") + "/"


def _is_plain_http_url(url: str) -> bool:
    """http(s), a host, no credentials, query, fragment or dot segments."""
    parts = urlsplit(url)
    segments = unquote(parts.path).split("/")
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.username or parts.password or parts.query or parts.fragment)
        and not any(segment in (".", "..") for segment in segments)
    )


def _normalized(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"


def remote_provider_for(url: str) -> RemoteProvider | None:
    """The enabled provider whose landing page `url` lies under (the longest match), if any."""
    if not _is_plain_http_url(url):
        return None
    matching = [
        provider
        for provider in RemoteProvider.objects.filter(enabled=True)
        if _is_under(url, provider)
    ]
    return max(matching, key=lambda provider: len(provider.url), default=None)


def _is_under(url: str, provider: RemoteProvider) -> bool:
    return _is_plain_http_url(url) and _normalized(url).startswith(_normalized(_base(provider.url)))


def remote_process_of(url: str) -> RemoteProcess | None:
    """The process a URL names, `{provider url}/processes/{id}` of an enabled provider."""
    provider = remote_provider_for(url)
    if provider is None:
        return None
    rest = _normalized(url)[len(_normalized(_base(provider.url))) :]
    collection, _, identifier = rest.partition("/")
    identifier = unquote(identifier)
    if collection != "processes" or not identifier or "/" in identifier:
        return None
    return RemoteProcess(provider=provider, identifier=identifier)


def _session(provider: RemoteProvider) -> requests.Session:
    session = requests.Session()
    session.headers["Accept"] = JSON_MEDIA_TYPE
    if provider.token:
        session.headers["Authorization"] = f"Bearer {provider.token}"
    elif provider.username:
        session.auth = (provider.username, provider.password)
    return session


def _problem_detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(body, dict):
        for key in ("detail", "description", "title", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return json.dumps(body)[:300]


class _RemoteCall:
    """The requests of one remote execution, sharing a session and a deadline."""

    def __init__(self, process: RemoteProcess, session: requests.Session) -> None:
        self.process = process
        self.session = session
        self.timeout = float(settings.REMOTE_PROCESS_TIMEOUT_SECONDS)
        self.deadline = time.monotonic() + self.timeout

    def failure(self, reason: str) -> RemoteProcessError:
        return RemoteProcessError(f"The remote process {self.process.url} failed: {reason}")

    def request(self, method: str, url: str, **options: Any) -> requests.Response:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self.failure(f"it did not finish within {self.timeout:.0f} s.")
        try:
            response = self.session.request(
                method,
                url,
                timeout=(min(CONNECT_TIMEOUT_SECONDS, remaining), remaining),
                allow_redirects=False,
                # A raw output is written to disk as it arrives (`_saved`), never held whole.
                stream=True,
                **options,
            )
        except requests.RequestException as error:
            raise self.failure(f"{method} {url}: {error}") from error
        if not 200 <= response.status_code < 300:
            detail = _problem_detail(response)
            raise self.failure(f"{method} {url} answered HTTP {response.status_code}: {detail}")
        return response

    def json_of(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise self.failure(f"{response.url} did not answer JSON.") from error

    def job_url(self, response: requests.Response, status: dict[str, Any]) -> str:
        """Where to follow a remote job: its Location, if it lies under the provider."""
        location = urljoin(response.url, response.headers.get("Location", ""))
        if location and _is_under(location, self.process.provider):
            return location
        job_id = status.get("jobID")
        if not isinstance(job_id, str) or not job_id:
            raise self.failure("it answered 201 without a job id.")
        return f"{_base(self.process.provider.url)}jobs/{quote(job_id, safe='')}"

    def wait_for(self, job_url: str) -> None:
        pause = POLL_FIRST_SECONDS
        while True:
            status = self.json_of(self.request("GET", job_url))
            state = status.get("status") if isinstance(status, dict) else None
            if state == "successful":
                return
            if state in FINAL_STATUSES:
                message = status.get("message") or "no message"
                raise self.failure(f"its job {job_url} is {state}: {message}")
            time.sleep(min(pause, max(0.0, self.deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX_SECONDS)


def _is_status_info(body: Any) -> bool:
    return isinstance(body, dict) and "jobID" in body and "status" in body


def remote_process_execute(
    *, process: RemoteProcess, inputs: dict[str, Any], outputs: dict[str, Any], workdir: Path
) -> dict[str, Any]:
    """Run the remote process and return its outputs by id.

    Values come by value; a reference stays `{"href": absolute URL}`; a raw non-JSON body
    is saved in `workdir` (an `OutputFile`). Raises RemoteProcessError naming the process.
    """
    with _session(process.provider) as session:
        call = _RemoteCall(process, session)
        description = call.json_of(call.request("GET", process.url))
        if not isinstance(description, dict):
            raise call.failure("its description is not a JSON object.")
        options = description.get("jobControlOptions")
        async_only = isinstance(options, list) and "sync-execute" not in options
        body: dict[str, Any] = {"inputs": inputs, "response": "document"}
        if outputs:
            body["outputs"] = outputs
        headers = {"Prefer": "respond-async"} if async_only else {}
        response = call.request("POST", f"{process.url}/execution", json=body, headers=headers)
        if _is_json(response) and _is_status_info(response.json()):
            job_url = call.job_url(response, response.json())
            call.wait_for(job_url)
            response = call.request("GET", f"{job_url}/results")
        expected = list(outputs) or list(description.get("outputs") or {})
        return _outputs_of(call, response, expected, workdir)


def _is_json(response: requests.Response) -> bool:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return media_type == JSON_MEDIA_TYPE or media_type.endswith("+json")


def _outputs_of(
    call: _RemoteCall, response: requests.Response, expected: list[str], workdir: Path
) -> dict[str, Any]:
    if not _is_json(response):
        return {_only(call, expected): _saved(call, response, workdir)}
    body = response.json()
    listed = _listed_outputs(body)
    if listed is not None:
        outputs = listed
    elif isinstance(body, dict) and body and set(body) <= set(expected):
        outputs = dict(body)
    else:
        outputs = {_only(call, expected): body}
    return {output_id: _plain(call, value) for output_id, value in outputs.items()}


def _listed_outputs(body: Any) -> dict[str, Any] | None:
    """`{"outputs": [{"id": …, "value": …}]}` or pygeoapi's single `{"id": …, "value": …}`."""
    items = body.get("outputs") if isinstance(body, dict) else None
    if isinstance(items, list) and all(isinstance(item, dict) and "id" in item for item in items):
        return {str(item["id"]): _qualified(item) for item in items}
    if isinstance(body, dict) and isinstance(body.get("id"), str) and set(body) & {"value", "href"}:
        return {body["id"]: _qualified(body)}
    return None


def _qualified(item: dict[str, Any]) -> Any:
    return {key: value for key, value in item.items() if key != "id"}


def _plain(call: _RemoteCall, value: Any) -> Any:
    """A qualified value stands for its value; a reference keeps an absolute http(s) URL."""
    if isinstance(value, dict) and "href" in value:
        href = urljoin(call.process.url, str(value["href"]))
        if urlsplit(href).scheme not in ("http", "https"):
            raise call.failure(f"it gave a reference that is not an http(s) URL: {href!r}.")
        return {**value, "href": href}
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _only(call: _RemoteCall, expected: list[str]) -> str:
    if len(expected) != 1:
        raise call.failure(
            f"it answered a raw value, but {len(expected)} outputs were asked for: "
            f"{', '.join(expected) or 'none described'}."
        )
    return expected[0]


def _saved(call: _RemoteCall, response: requests.Response, workdir: Path) -> OutputFile:
    """A raw body written to a file in the step's folder, within the input size limit."""
    media_type = response.headers.get("Content-Type", "application/octet-stream")
    suffix = mimetypes.guess_extension(media_type.split(";")[0].strip()) or ""
    target = workdir / f"remote-output{suffix}"
    workdir.mkdir(parents=True, exist_ok=True)
    if response_saved(response, target, settings.INPUT_MAX_BYTES) is None:
        raise call.failure(f"its output is larger than {settings.INPUT_MAX_BYTES} bytes.")
    return OutputFile(path=target, media_type=media_type)
