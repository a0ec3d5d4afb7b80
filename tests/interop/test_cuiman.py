"""cuiman (Python ≥ 3.12, in .venv-peers) runs a whole job life against the platform."""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.models import User
from apps.processes.services import processes_sync_builtins
from tests.fixtures import PASSWORD
from tests.peers import peer_missing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]

PEERS_PYTHON = Path(settings.BASE_DIR) / ".venv-peers" / "bin" / "python"
SEQUENCE = Path(__file__).with_name("cuiman_sequence.py")


def test_cuiman_lists_executes_polls_and_dismisses(live_server, alice: User) -> None:
    if not PEERS_PYTHON.exists():
        peer_missing("no .venv-peers (cuiman needs Python 3.12)")
    processes_sync_builtins()

    finished = subprocess.run(  # noqa: S603 - our own script and interpreter
        [str(PEERS_PYTHON), str(SEQUENCE), f"{live_server.url}/ogcapi", "alice", PASSWORD],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout)
    assert {"Add", "Mul", "countdown"} <= set(summary["processes"])
    assert summary["mulInputs"] == ["value1", "value2"]
    assert (summary["status"], summary["results"]) == ("successful", {"result": 137.7})
    assert summary["dismissed"] == "dismissed"
    assert len(summary["jobs"]) == 2
