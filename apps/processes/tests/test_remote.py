"""A remote process answering a raw body: saved as it arrives, within the input size limit."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from apps.processes.models import RemoteProvider
from apps.processes.remote import RemoteProcess, RemoteProcessError, remote_process_execute
from tests.fixtures import serving_in_thread

pytestmark = pytest.mark.django_db

DESCRIPTION = {"id": "tile", "jobControlOptions": ["sync-execute"], "outputs": {"tile": {}}}


class _RawPeer(BaseHTTPRequestHandler):
    """A peer whose `tile` process answers `size` bytes of PNG, raw."""

    size = 0

    def do_GET(self) -> None:
        self._answer("application/json", json.dumps(DESCRIPTION).encode())

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer("image/png", b"\x89" * self.size)

    def _answer(self, media_type: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments: object) -> None:
        pass


def _tile(tmp_path: Path, size: int) -> dict:
    _RawPeer.size = size
    with serving_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), _RawPeer)) as server:
        provider = RemoteProvider.objects.create(
            name="peer", url=f"http://127.0.0.1:{server.server_address[1]}/"
        )
        process = RemoteProcess(provider=provider, identifier="tile")
        return remote_process_execute(process=process, inputs={}, outputs={}, workdir=tmp_path)


def test_a_raw_output_is_saved_as_a_file(tmp_path: Path, settings) -> None:
    settings.INPUT_MAX_BYTES = 1000

    outputs = _tile(tmp_path, 1000)

    saved = outputs["tile"]
    assert saved.media_type == "image/png"
    assert saved.path.read_bytes() == b"\x89" * 1000


def test_a_raw_output_past_the_size_limit_fails_the_step(tmp_path: Path, settings) -> None:
    settings.INPUT_MAX_BYTES = 1000

    with pytest.raises(RemoteProcessError, match="its output is larger than 1000 bytes"):
        _tile(tmp_path, 1001)
