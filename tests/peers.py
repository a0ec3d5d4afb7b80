"""Third-party OGC API servers that interoperability tests and benchmarks run beside ours.

They live in their own venv, `.venv-peers` (requirements/peers.txt, installed by
scripts/bootstrap.sh), because they need another Python. Nothing here imports Django:
`bench/` scripts use it too.
"""

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import NoReturn

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PEERS_BIN = ROOT / ".venv-peers" / "bin"

PYGEOAPI_CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {{default_items: 10, max_items: 50}}
  map:
    url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png"
    attribution: OSM
{manager}
logging:
  level: ERROR
metadata:
  identification:
    title: peer
    description: peer
    keywords: [peer]
    keywords_type: theme
    terms_of_service: https://example.org
    url: https://example.org
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: peer, url: https://example.org}}
  contact: {{name: peer, position: peer, address: x, city: x, stateorprovince: x,
    postalcode: x, country: x, phone: x, fax: x, email: x@example.org, url: https://example.org,
    hours: x, instructions: x, role: pointOfContact}}
resources:
{resources}
"""

MANAGER_CONFIG = """\
  manager:
    name: {name}
    connection: {connection}
    output_dir: {output_dir}"""
PROCESS_RESOURCE = """
  {identifier}:
    type: process
    processor:
      name: {processor}
"""
DEFAULT_PROCESSES = {"hello-world": "HelloWorld"}


def pygeoapi_installed() -> bool:
    return (PEERS_BIN / "pygeoapi").exists() and (PEERS_BIN / "gunicorn").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pygeoapi_configure(
    *, port: int, workdir: Path, resources: str, manager: str = "", python_path: Path | None = None
) -> dict[str, str]:
    """Write pygeoapi's configuration and OpenAPI document into `workdir`; the environment
    that serves them.

    `resources` is the YAML under `resources:`, `manager` the YAML of a job manager under
    `server:` (none by default). `python_path` is where processors named by dotted paths live.
    """
    config = workdir / "pygeoapi.yml"
    config.write_text(PYGEOAPI_CONFIG.format(port=port, manager=manager, resources=resources))
    openapi = workdir / "openapi.yml"
    environment = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    if python_path is not None:
        environment["PYTHONPATH"] = str(python_path)
    subprocess.run(  # noqa: S603 - the peers' own command
        [
            str(PEERS_BIN / "pygeoapi"),
            "openapi",
            "generate",
            str(config),
            "--output-file",
            str(openapi),
        ],
        env=environment,
        check=True,
        capture_output=True,
    )
    return environment


def pygeoapi_command(port: int, *options: str) -> list[str]:
    """gunicorn, with these options, serving pygeoapi on 127.0.0.1:`port`."""
    return [
        str(PEERS_BIN / "gunicorn"),
        *options,
        "-b",
        f"127.0.0.1:{port}",
        "pygeoapi.flask_app:APP",
    ]


def pygeoapi_start(
    *,
    port: int,
    workdir: Path,
    manager: str = "TinyDB",
    connection: str | None = None,
    workers: int = 1,
    processes: dict[str, str] | None = None,
    python_path: Path | None = None,
) -> subprocess.Popen[bytes]:
    """pygeoapi 0.24 offering processes (by default its hello-world), served by gunicorn.

    `manager` is pygeoapi's job manager (TinyDB keeps jobs in `workdir`; PostgreSQL needs
    `connection`, a DSN). `processes` maps process ids to pygeoapi processor names or
    dotted paths of classes, found on `python_path`. Returns once the server answers on
    127.0.0.1; its log is `workdir/pygeoapi.log`.
    """
    resources = "".join(
        PROCESS_RESOURCE.format(identifier=identifier, processor=processor)
        for identifier, processor in (processes or DEFAULT_PROCESSES).items()
    )
    environment = pygeoapi_configure(
        port=port,
        workdir=workdir,
        resources=resources,
        manager=MANAGER_CONFIG.format(
            name=manager, connection=connection or workdir / "jobs.db", output_dir=workdir
        ),
        python_path=python_path,
    )
    with (workdir / "pygeoapi.log").open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - the peers' own command
            pygeoapi_command(port, "-w", str(workers)),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    _wait_until_serving(server, f"http://127.0.0.1:{port}/processes")
    return server


def _wait_until_serving(server: subprocess.Popen[bytes], url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"pygeoapi exited with status {server.returncode}")
        try:
            requests.get(url, timeout=5)
        except requests.RequestException:
            time.sleep(0.2)
        else:
            return
    server.kill()
    server.wait()
    raise RuntimeError("pygeoapi did not start")


def pygeoapi_stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def peer_missing(reason: str) -> NoReturn:
    """Skip a test whose peer is not installed; under CI, where `.ci/run` installs every
    peer, fail instead, so that an interoperability test cannot silently stop running."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs every peer: scripts/bootstrap.sh --test)")
    pytest.skip(reason)
