"""Catalogue search latency of third-party OGC catalogues, loaded with the same records.

    .venv/bin/python bench/catalogue_peers.py                        # 10,000 records
    .venv/bin/python bench/catalogue_peers.py --records 200000 --peers pycsw,pygeoapi-postgresql

Each peer is loaded with the records of `bench/catalogue_data.py`, served over HTTP on a free
loopback port, and asked the four query kinds of `query_set()`: a bounding box, a free-text
word, box + word + record type, and an attribute filter (platform, cloud cover below a
threshold, acquired after a date). Printed: load time, then per peer and kind the number of
timed requests, p50 and p99 latency, the matches of the first query and how many of the
timed queries matched anything (a peer that ignores a parameter shows up there).

The peers, and why they are set up the way they are:

- pycsw 2.6.2, CSW 2.0.2/3.0 on SQLite, served by gunicorn (2 workers). It cannot live in
  .venv-peers: it imports `sqlalchemy.orm.create_session` (removed in SQLAlchemy 2, which
  pygeoapi 0.24 needs) and `pkg_resources` (not in Python 3.12 venvs). So the bench builds
  var/venv-pycsw on demand from a Python < 3.12 (the one running the bench, or pyenv's 3.11)
  with the pins of `PYCSW_REQUIREMENTS`. The repository is created by pycsw's own
  `setup_db`, then filled with one `executemany` per 5,000 rows (indexes dropped during the
  load and rebuilt after), each row holding the Dublin Core XML, anytext and WKT footprint
  that pycsw's own record parser would store. pycsw 2.6's Dublin Core model has no platform
  or cloud cover queryable: two extra columns hold them, and pycsw's `repository.mappings`
  hook exposes them as dc:source (platform) and dc:relation (cloud cover, numeric).
  Queries: bbox and q as CSW 3.0 OpenSearch KVP; box + word + type as a CSW 3.0 GET with an
  OGC Filter 1.1 constraint (CQL_TEXT in pycsw 2.6 has no BBOX); the attribute filter as
  CQL_TEXT. Spatial predicates run in Python (shapely) over every row: pycsw's SQLite path.
- pygeoapi 0.24, OGC API - Records with the TinyDBCatalogue provider, the record provider
  that needs no Elasticsearch; gunicorn (2 workers). TinyDB reads its whole JSON file on
  every request, so the peer is skipped above `TINYDB_MAX_RECORDS`. It ignores `filter`:
  the attribute filter is sent as `platform=...&datetime=D/..`, without cloud cover.
- pygeoapi 0.24 with its PostgreSQL provider behind an `itemType: record` collection: a
  PostGIS table loaded with COPY, indexed as a DBA would (GiST on the footprint, B-trees on
  type, platform and start, a trigram GIN index on anytext). The provider supports `filter`
  (CQL2 text) but ignores `q`, so free-text search is sent as
  `filter=anytext LIKE '%word%'` on a lower-cased anytext column.

PostgreSQL is reached at $CATALOGUE_PEERS_DSN (default
postgresql://postgres@127.0.0.1:5432/pygeoapi_records); the database is created if missing.
"""

import argparse
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, suppress
from pathlib import Path
from typing import Any, Protocol

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalogue_data import KINDS, generate_records, query_set

from tests.peers import (
    ROOT,
    free_port,
    pygeoapi_command,
    pygeoapi_configure,
    pygeoapi_installed,
)

PYCSW_VENV = ROOT / "var" / "venv-pycsw"
PYCSW_REQUIREMENTS = (
    "pycsw==2.6.2",
    "SQLAlchemy==1.4.54",
    "setuptools==80.9.0",
    "OWSLib==0.28.1",
    "lxml==6.1.3",
    "pyproj==3.7.2",
    "shapely==2.2.0",
    "numpy==2.4.6",
    "xmltodict==1.0.4",
    "geolinks==0.2.3",
    "gunicorn==27.0.1",
)
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/pygeoapi_records"
TINYDB_MAX_RECORDS = 250_000
REQUEST_TIMEOUT = 900
WORKERS = 2
BATCH = 5000
GUNICORN_OPTIONS = ("-w", str(WORKERS), "--timeout", str(REQUEST_TIMEOUT), "--no-control-socket")
"""Sync workers that may take minutes per request (TinyDB, or pycsw at large N), and no control
socket: gunicorn 27 puts it at one path per user, shared with any other gunicorn running."""

Record = dict[str, Any]


class Peer(Protocol):
    """A catalogue under test: loaded once, started, queried over HTTP, stopped."""

    key: str
    name: str
    notes: dict[str, str]

    def load(self, records: Iterable[Record]) -> None: ...

    def start(self) -> None: ...

    def query(self, kind: str, params: Any) -> int: ...

    def stop(self) -> None: ...


class PeerSkipped(Exception):
    """The peer cannot run here or at this size; the message says why."""


def timed(fn: Callable[[], object], repeat: int = 50, budget: float = math.inf) -> list[float]:
    """Latencies in seconds of up to `repeat` calls, stopping once `budget` seconds are spent.

    The budget keeps slow peers (seconds per request at large N) from taking hours; at least
    one call is always made.
    """
    latencies: list[float] = []
    deadline = time.perf_counter() + budget
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        finished = time.perf_counter()
        latencies.append(finished - started)
        if finished > deadline:
            break
    return latencies


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile, `fraction` in [0, 1]."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Server:
    """A gunicorn (or any) subprocess on a loopback port, waited for and stopped cleanly.

    It runs in its own session so that stopping it reaches the workers gunicorn forked,
    even when the master is stuck.
    """

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.command = command
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, probe_url: str, timeout: float = 120) -> None:
        """Start the command; return once `probe_url` answers at all (errors show in queries)."""
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the peers' own commands
                self.command,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                requests.get(probe_url, timeout=10)
            except requests.RequestException:
                time.sleep(0.2)
                continue
            return
        tail = self.log.read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"{self.command[0]} did not start:\n{tail}")

    def stop(self) -> None:
        """SIGTERM to the master, then SIGKILL to whatever of its session is left."""
        if self.process is None:
            return
        self.process.terminate()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None


def _wkt(bbox: Sequence[float]) -> str:
    minx, miny, maxx, maxy = bbox
    return f"POLYGON(({minx} {miny},{minx} {maxy},{maxx} {maxy},{maxx} {miny},{minx} {miny}))"


def _bbox_param(bbox: Sequence[float]) -> str:
    return ",".join(str(value) for value in bbox)


# --- pycsw ----------------------------------------------------------------------------------

PYCSW_SETUP = """
import sys
from sqlalchemy import Column, Float, Text
from pycsw.core.admin import setup_db
setup_db(sys.argv[1], "records", sys.argv[2], extra_columns=[
    Column("platform", Text, index=True), Column("cloud_cover", Float, index=True)])
"""

PYCSW_MAPPINGS = '''"""pycsw mappings of the catalogue benchmark (bench/catalogue_peers.py)."""

from pycsw.core.config import StaticContext

MD_CORE_MODEL = StaticContext().md_core_model
MD_CORE_MODEL["mappings"]["pycsw:Source"] = "platform"
MD_CORE_MODEL["mappings"]["pycsw:Relation"] = "cloud_cover"
'''

PYCSW_CONFIG = """[server]
home={home}
url=http://127.0.0.1:{port}/
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=en-US
maxrecords=10
pretty_print=false
domainquerytype=list
domaincounts=false

[manager]
transactions=false
allowed_ips=127.0.0.1

[metadata:main]
identification_title=Catalogue benchmark
identification_abstract=Synthetic Earth-observation records
identification_keywords=benchmark
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=bench
provider_url=https://example.org
contact_name=bench
contact_position=bench
contact_address=x
contact_city=x
contact_stateorprovince=x
contact_postalcode=x
contact_country=x
contact_phone=x
contact_fax=x
contact_email=bench@example.org
contact_url=https://example.org
contact_hours=x
contact_instructions=x
contact_role=pointOfContact

[repository]
database=sqlite:///{database}
table=records
mappings=catalogue_pycsw_mappings
"""

PYCSW_COLUMNS = (
    "identifier",
    "typename",
    "schema",
    "mdsource",
    "insert_date",
    "xml",
    "anytext",
    "language",
    "type",
    "title",
    "title_alternate",
    "abstract",
    "keywords",
    "time_begin",
    "time_end",
    "date",
    "date_modified",
    "format",
    "otherconstraints",
    "wkt_geometry",
    "platform",
    "cloud_cover",
)
CSW_NAMESPACE = "http://www.opengis.net/cat/csw/2.0.2"
DC_RECORD = (
    '<csw:Record xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/" '
    'xmlns:ows="http://www.opengis.net/ows">'
    "<dc:identifier>{id}</dc:identifier><dc:title>{title}</dc:title>"
    "<dct:alternative>{externalId}</dct:alternative><dc:type>{type}</dc:type>{subjects}"
    "<dct:abstract>{description}</dct:abstract><dc:date>{start}</dc:date>"
    "<dct:modified>{updated}</dct:modified><dc:format>{format}</dc:format>"
    "<dc:source>{platform}</dc:source><dc:language>en</dc:language>"
    "<dct:license>{license}</dct:license><dct:temporal>{start}/{end}</dct:temporal>"
    '<ows:BoundingBox crs="urn:ogc:def:crs:EPSG::4326">'
    "<ows:LowerCorner>{miny} {minx}</ows:LowerCorner>"
    "<ows:UpperCorner>{maxy} {maxx}</ows:UpperCorner></ows:BoundingBox></csw:Record>"
)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
OGC_FILTER = (
    '<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">'
    "<ogc:And><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>"
    '<gml:Envelope srsName="urn:ogc:def:crs:OGC:1.3:CRS84">'
    "<gml:lowerCorner>{minx} {miny}</gml:lowerCorner>"
    "<gml:upperCorner>{maxx} {maxy}</gml:upperCorner></gml:Envelope></ogc:BBOX>"
    '<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\">'
    "<ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>%{word}%</ogc:Literal>"
    "</ogc:PropertyIsLike><ogc:PropertyIsEqualTo><ogc:PropertyName>dc:type</ogc:PropertyName>"
    "<ogc:Literal>{type}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:And></ogc:Filter>"
)
MATCHED = re.compile(rb'numberOfRecordsMatched="(\d+)"')


def _pycsw_row(record: Record, inserted: str) -> tuple[Any, ...]:
    """The columns pycsw's own Dublin Core parser fills, plus platform and cloud cover."""
    text = {
        key: value.translate(_XML_ESCAPES)
        for key, value in record.items()
        if isinstance(value, str)
    }
    minx, miny, maxx, maxy = record["bbox"]
    keywords = [word.translate(_XML_ESCAPES) for word in record["keywords"]]
    subjects = "".join(f"<dc:subject>{word}</dc:subject>" for word in keywords)
    xml = DC_RECORD.format(subjects=subjects, minx=minx, miny=miny, maxx=maxx, maxy=maxy, **text)
    anytext = " ".join(
        (
            record["id"],
            record["title"],
            record["externalId"],
            record["type"],
            *record["keywords"],
            record["description"],
            record["start"],
            record["updated"],
            record["format"],
            record["platform"],
            "en",
            record["license"],
            f"{record['start']}/{record['end']}",
            f"{miny} {minx}",
            f"{maxy} {maxx}",
        )
    )
    return (
        record["id"],
        "csw:Record",
        CSW_NAMESPACE,
        "local",
        inserted,
        xml,
        anytext,
        record["language"],
        record["type"],
        record["title"],
        record["externalId"],
        record["description"],
        ",".join(record["keywords"]),
        record["start"],
        record["end"],
        record["start"],
        record["updated"],
        record["format"],
        record["license"],
        _wkt(record["bbox"]),
        record["platform"],
        record["cloudCover"],
    )


def _bulk_insert(connection: sqlite3.Connection, records: Iterable[Record]) -> None:
    """All rows in one transaction, `BATCH` per executemany, with pycsw's indexes rebuilt after.

    pycsw indexes almost every column; building each index once over the loaded table saves
    updating some sixty indexes row by row (about 10% of the load time at 50,000 records).
    """
    inserted = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    columns, marks = ",".join(PYCSW_COLUMNS), ",".join("?" * len(PYCSW_COLUMNS))
    insert = f"INSERT INTO records ({columns}) VALUES ({marks})"  # noqa: S608 - constants
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA journal_mode = MEMORY")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL"
    ).fetchall()
    connection.execute("BEGIN")
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    for chunk in chunks(records, BATCH):
        connection.executemany(insert, [_pycsw_row(record, inserted) for record in chunk])
    for _, sql in indexes:
        connection.execute(sql)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")


def _pycsw_python() -> str:
    """An interpreter older than 3.12 for pycsw 2.6 (which imports `imp` on some paths)."""
    if sys.version_info < (3, 12):
        return sys.executable
    candidates = [shutil.which("python3.11")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run(  # noqa: S603 - pyenv's own command
            [pyenv, "root"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates += sorted(str(p) for p in Path(root).glob("versions/3.11.*/bin/python"))
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise PeerSkipped("pycsw 2.6 needs Python < 3.12 and none was found")


def ensure_pycsw_venv() -> Path:
    """var/venv-pycsw with `PYCSW_REQUIREMENTS`, (re)installed when the pins change."""
    python = PYCSW_VENV / "bin" / "python"
    stamp = PYCSW_VENV / ".requirements.sha256"
    digest = hashlib.sha256("\n".join(PYCSW_REQUIREMENTS).encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    print("Installing pycsw 2.6.2 into var/venv-pycsw", flush=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    try:
        if not python.exists():
            subprocess.run(  # noqa: S603 - a venv of our own
                [_pycsw_python(), "-m", "venv", str(PYCSW_VENV)], check=True
            )
        subprocess.run([*pip, *PYCSW_REQUIREMENTS], check=True)  # noqa: S603 - pinned packages
    except subprocess.CalledProcessError as error:
        raise PeerSkipped(f"could not install pycsw into {PYCSW_VENV}: {error}") from error
    stamp.write_text(digest)
    return python


class PycswPeer:
    """pycsw 2.6.2 on SQLite, CSW 3.0 KVP requests."""

    key = "pycsw"
    name = "pycsw 2.6.2 SQLite"
    notes = {
        "bbox": "CSW 3.0 GetRecords bbox= (OpenSearch KVP)",
        "q": "CSW 3.0 GetRecords q= (anytext LIKE)",
        "bbox+q+type": "CSW 3.0 GetRecords, OGC Filter 1.1: BBOX, AnyText like, dc:type",
        "filter": "CQL_TEXT dc:source = P AND dc:relation < T AND dc:date > D",
    }

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir / "pycsw"
        self.database = self.workdir / "records.db"
        self.server: Server | None = None
        self.url = ""

    def load(self, records: Iterable[Record]) -> None:
        python = ensure_pycsw_venv()
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        subprocess.run(  # noqa: S603 - pycsw's own setup_db
            [str(python), "-c", PYCSW_SETUP, f"sqlite:///{self.database}", str(self.workdir)],
            check=True,
            capture_output=True,
        )
        with closing(sqlite3.connect(self.database, isolation_level=None)) as connection:
            _bulk_insert(connection, records)

    def start(self) -> None:
        python = ensure_pycsw_venv()
        home = subprocess.run(  # noqa: S603 - our own venv
            [str(python), "-c", "import os, pycsw; print(os.path.dirname(pycsw.__file__))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        port = free_port()
        config = self.workdir / "pycsw.cfg"
        config.write_text(PYCSW_CONFIG.format(home=home, port=port, database=self.database))
        (self.workdir / "catalogue_pycsw_mappings.py").write_text(PYCSW_MAPPINGS)
        environment = {**os.environ, "PYCSW_CONFIG": str(config), "PYTHONPATH": str(self.workdir)}
        self.url = f"http://127.0.0.1:{port}/"
        self.server = Server(
            [
                str(python.parent / "gunicorn"),
                *GUNICORN_OPTIONS,
                "-b",
                f"127.0.0.1:{port}",
                "pycsw.wsgi:application",
            ],
            environment,
            self.workdir / "gunicorn.log",
        )
        self.server.start(f"{self.url}?service=CSW&version=3.0.0&request=GetCapabilities")

    def _params(self, kind: str, params: Any) -> dict[str, str]:
        base = {
            "service": "CSW",
            "version": "3.0.0",
            "request": "GetRecords",
            "typenames": "csw:Record",
            "elementsetname": "brief",
            "resulttype": "results",
            "maxrecords": "10",
        }
        if kind == "bbox":
            return {**base, "bbox": _bbox_param(params)}
        if kind == "q":
            return {**base, "q": params}
        if kind == "bbox+q+type":
            bbox, word, record_type = params
            minx, miny, maxx, maxy = bbox
            constraint = OGC_FILTER.format(
                minx=minx, miny=miny, maxx=maxx, maxy=maxy, word=word, type=record_type
            )
            return {**base, "constraintlanguage": "FILTER", "constraint": constraint}
        platform, threshold, after = params
        constraint = (
            f"dc:source = '{platform}' AND dc:relation < {threshold} AND dc:date > '{after}'"
        )
        return {**base, "constraintlanguage": "CQL_TEXT", "constraint": constraint}

    def query(self, kind: str, params: Any) -> int:
        response = requests.get(
            self.url, params=self._params(kind, params), timeout=REQUEST_TIMEOUT
        )
        response.raise_for_status()
        match = MATCHED.search(response.content)
        if match is None:
            raise RuntimeError(f"pycsw {kind}: {response.text[:500]}")
        return int(match.group(1))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


# --- pygeoapi -------------------------------------------------------------------------------

RECORDS_RESOURCE = """
  records:
    type: collection
    itemType: record
    title: Earth-observation records
    description: Synthetic Earth-observation catalogue records
    keywords: [earth observation]
    links: []
    extents:
      spatial:
        bbox: [-180, -90, 180, 90]
        crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84
    providers:
      - type: record
{provider}"""


class PygeoapiPeer(ABC):
    """pygeoapi 0.24 from .venv-peers serving one `itemType: record` collection."""

    key = ""
    name = ""
    notes: dict[str, str] = {}

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir / self.key
        self.server: Server | None = None
        self.url = ""

    @abstractmethod
    def load(self, records: Iterable[Record]) -> None: ...

    @abstractmethod
    def provider_yaml(self) -> str:
        """The provider's keys, indented to sit under `providers: - type: record`."""

    @abstractmethod
    def params(self, kind: str, params: Any) -> dict[str, str]:
        """The items request's query parameters for one query of `kind`."""

    def start(self) -> None:
        if not pygeoapi_installed():
            raise PeerSkipped("no .venv-peers: run scripts/bootstrap.sh --test")
        port = free_port()
        environment = pygeoapi_configure(
            port=port,
            workdir=self.workdir,
            resources=RECORDS_RESOURCE.format(provider=self.provider_yaml()),
        )
        self.url = f"http://127.0.0.1:{port}"
        self.server = Server(
            pygeoapi_command(port, *GUNICORN_OPTIONS), environment, self.workdir / "gunicorn.log"
        )
        self.server.start(f"{self.url}/")

    def query(self, kind: str, params: Any) -> int:
        response = requests.get(
            f"{self.url}/collections/records/items",
            params={**self.params(kind, params), "limit": "10", "f": "json"},
            timeout=REQUEST_TIMEOUT,
        )
        if response.status_code != 200:
            raise RuntimeError(f"{self.name} {kind}: {response.status_code} {response.text[:500]}")
        body = response.json()
        return int(body.get("numberMatched", body.get("numberReturned", 0)))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def _record_feature(record: Record) -> dict[str, Any]:
    """An OGC API - Records GeoJSON record, with the anytext TinyDBCatalogue searches."""
    minx, miny, maxx, maxy = record["bbox"]
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    return {
        "id": record["id"],
        "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"],
        "type": "Feature",
        "time": {"interval": [record["start"], record["end"]]},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {
            "type": record["type"],
            "title": record["title"],
            "description": record["description"],
            "keywords": record["keywords"],
            "language": record["language"],
            "externalIds": [{"scheme": record["platform"], "value": record["externalId"]}],
            "formats": [{"name": record["format"]}],
            "license": record["license"],
            "updated": record["updated"],
            "platform": record["platform"],
            "cloudCover": record["cloudCover"],
            "start": record["start"],
            "end": record["end"],
            "_metadata-anytext": record["title"] + record["description"],
        },
        "links": [],
    }


class PygeoapiTinyDBPeer(PygeoapiPeer):
    """pygeoapi's TinyDBCatalogue: its own JSON file, written in one pass."""

    key = "pygeoapi-tinydb"
    name = "pygeoapi 0.24 TinyDB"
    notes = {
        "bbox": "items?bbox=",
        "q": "items?q=",
        "bbox+q+type": "items?bbox=&q=&type=",
        "filter": "items?platform=P&datetime=D/.. (filter ignored: no cloudCover)",
    }

    def __init__(self, workdir: Path, max_records: int = TINYDB_MAX_RECORDS) -> None:
        super().__init__(workdir)
        self.max_records = max_records
        self.data = self.workdir / "records.tinydb"

    def load(self, records: Iterable[Record]) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        with self.data.open("w") as output:
            output.write('{"_default": {')
            count = 0
            for count, record in enumerate(records, start=1):
                if count > self.max_records:
                    raise PeerSkipped(
                        f"over {self.max_records:,} records: TinyDB parses its whole file "
                        "on every request"
                    )
                separator = "," if count > 1 else ""
                output.write(f'{separator}"{count}": {json.dumps(_record_feature(record))}')
            output.write("}}")

    def provider_yaml(self) -> str:
        return (
            "        name: TinyDBCatalogue\n"
            f"        data: {self.data}\n"
            "        id_field: id\n"
            "        time_field: start\n"
            "        title_field: title\n"
        )

    def params(self, kind: str, params: Any) -> dict[str, str]:
        if kind == "bbox":
            return {"bbox": _bbox_param(params)}
        if kind == "q":
            return {"q": params}
        if kind == "bbox+q+type":
            bbox, word, record_type = params
            return {"bbox": _bbox_param(bbox), "q": word, "type": record_type}
        platform, _, after = params
        return {"platform": platform, "datetime": f"{after}/.."}


PG_COLUMNS = (
    "id",
    "type",
    "title",
    "description",
    "keywords",
    "platform",
    '"cloudCover"',
    "format",
    "license",
    "language",
    '"externalId"',
    "start",
    '"end"',
    "updated",
    "anytext",
    "geom",
)
PG_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP TABLE IF EXISTS records;
CREATE TABLE records (
    id text PRIMARY KEY, type text NOT NULL, title text, description text, keywords text,
    platform text, "cloudCover" double precision, format text, license text, language text,
    "externalId" text, start timestamptz, "end" timestamptz, updated timestamptz,
    anytext text, geom geometry(Polygon, 4326)
);
"""
PG_INDEXES = """
CREATE INDEX records_geom ON records USING gist (geom);
CREATE INDEX records_type ON records (type);
CREATE INDEX records_platform_start ON records (platform, start);
CREATE INDEX records_start ON records (start);
CREATE INDEX records_anytext ON records USING gin (anytext gin_trgm_ops);
ANALYZE records;
"""


def _ensure_database(dsn: str) -> None:
    """Create the database of `dsn` when it does not exist yet."""
    base, _, name = dsn.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


class PygeoapiPostgresPeer(PygeoapiPeer):
    """pygeoapi's PostgreSQL provider on a PostGIS table, loaded with COPY."""

    key = "pygeoapi-postgresql"
    name = "pygeoapi 0.24 PostgreSQL"
    notes = {
        "bbox": "items?bbox=",
        "q": "items?filter=anytext LIKE '%w%' (q is ignored by the provider)",
        "bbox+q+type": "items?bbox=&type=&filter=anytext LIKE '%w%'",
        "filter": "items?filter=platform = P AND cloudCover < T AND start T_AFTER D",
    }

    def __init__(self, workdir: Path, dsn: str = DEFAULT_DSN) -> None:
        super().__init__(workdir)
        self.dsn = dsn

    def load(self, records: Iterable[Record]) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        try:
            _ensure_database(self.dsn)
        except psycopg.OperationalError as error:
            raise PeerSkipped(f"no PostgreSQL at {self.dsn}: {error}") from error
        with psycopg.connect(self.dsn) as connection:
            connection.execute(PG_SCHEMA)
            with connection.cursor().copy(
                f"COPY records ({', '.join(PG_COLUMNS)}) FROM STDIN"
            ) as copy:
                for record in records:
                    copy.write_row(_pg_row(record))
            connection.execute(PG_INDEXES)

    def provider_yaml(self) -> str:
        driver_dsn = self.dsn.replace("postgresql://", "postgresql+psycopg://", 1)
        return (
            "        name: PostgreSQL\n"
            f"        data: {driver_dsn}\n"
            "        table: records\n"
            "        id_field: id\n"
            "        geom_field: geom\n"
            "        time_field: start\n"
            "        title_field: title\n"
        )

    def params(self, kind: str, params: Any) -> dict[str, str]:
        if kind == "bbox":
            return {"bbox": _bbox_param(params)}
        if kind == "q":
            return {"filter": f"anytext LIKE '%{params}%'", "filter-lang": "cql2-text"}
        if kind == "bbox+q+type":
            bbox, word, record_type = params
            return {
                "bbox": _bbox_param(bbox),
                "type": record_type,
                "filter": f"anytext LIKE '%{word}%'",
                "filter-lang": "cql2-text",
            }
        platform, threshold, after = params
        return {
            "filter": (
                f"platform = '{platform}' AND cloudCover < {threshold} "
                f"AND start T_AFTER TIMESTAMP('{after}')"
            ),
            "filter-lang": "cql2-text",
        }


def _pg_row(record: Record) -> tuple[Any, ...]:
    """A COPY row: the record's fields, a lower-cased anytext to search, an EWKT footprint."""
    anytext = " ".join(
        (record["title"], record["description"], " ".join(record["keywords"]), record["platform"])
    ).lower()
    return (
        record["id"],
        record["type"],
        record["title"],
        record["description"],
        ",".join(record["keywords"]),
        record["platform"],
        record["cloudCover"],
        record["format"],
        record["license"],
        record["language"],
        record["externalId"],
        record["start"],
        record["end"],
        record["updated"],
        anytext,
        f"SRID=4326;{_wkt(record['bbox'])}",
    )


def available_peers(workdir: Path) -> list[Peer]:
    """The catalogues this machine can run: pycsw, pygeoapi on TinyDB and on PostgreSQL."""
    dsn = os.environ.get("CATALOGUE_PEERS_DSN", DEFAULT_DSN)
    return [
        PycswPeer(workdir),
        PygeoapiTinyDBPeer(workdir),
        PygeoapiPostgresPeer(workdir, dsn),
    ]


# --- the run --------------------------------------------------------------------------------


def measure(
    peer: Peer, queries: dict[str, list[Any]], repeat: int, budget: float
) -> dict[str, dict[str, Any]]:
    """Per kind: latencies of cycling through the kind's queries, and their match counts."""
    rows = {}
    for kind in KINDS:
        first = warm_up(peer, kind, queries[kind][0])
        counts: list[int] = []
        latencies = timed(_cycling(peer, kind, queries[kind], counts), repeat, budget)
        rows[kind] = {"first": first, "latencies": latencies, "counts": counts}
    return rows


def warm_up(peer: Peer, kind: str, params: Any, concurrency: int = WORKERS) -> int:
    """The first query, sent once per worker at the same time, before timing.

    A sync worker serves one request at a time, so `WORKERS` concurrent requests reach every
    worker. A worker's first request imports modules and opens connections; left in, it would
    be the p99 of every row. Returns the match count, checked to agree across workers.
    """
    with ThreadPoolExecutor(concurrency) as pool:
        counts = set(pool.map(lambda _: peer.query(kind, params), range(concurrency)))
    if len(counts) != 1:
        raise RuntimeError(f"{peer.name} {kind}: workers disagree on the matches, {counts}")
    return counts.pop()


def _cycling(peer: Peer, kind: str, params: list[Any], counts: list[int]) -> Callable[[], None]:
    """One request per call, through `params` in turn, its match count appended to `counts`."""
    cycle = itertools.cycle(params)

    def call() -> None:
        counts.append(peer.query(kind, next(cycle)))

    return call


def print_table(
    results: dict[str, dict[str, dict[str, Any]]], notes: dict[str, dict[str, str]]
) -> None:
    """One row per peer and kind from `measure`, then how each peer was asked each kind."""
    print(
        f"\n{'peer':26} {'query kind':12} {'n':>4} {'p50 ms':>9} {'p99 ms':>9} "
        f"{'1st matches':>11} {'non-zero':>9}"
    )
    for name, rows in results.items():
        for kind, row in rows.items():
            latencies, counts = row["latencies"], row["counts"]
            nonzero = f"{sum(1 for c in counts if c)}/{len(counts)}"
            print(
                f"{name:26} {kind:12} {len(latencies):4d} "
                f"{1000 * percentile(latencies, 0.5):9.1f} "
                f"{1000 * percentile(latencies, 0.99):9.1f} {row['first']:11d} {nonzero:>9}"
            )
    print("\nHow each kind is asked:")
    for name, kinds in notes.items():
        for kind, note in kinds.items():
            print(f"  {name:26} {kind:12} {note}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per kind")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per peer and kind before stopping"
    )
    parser.add_argument("--peers", default="", help="comma-separated keys, default all")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-catalogue")
    arguments = parser.parse_args()

    arguments.workdir.mkdir(parents=True, exist_ok=True)
    peers = available_peers(arguments.workdir)
    if arguments.peers:
        wanted = set(arguments.peers.split(","))
        unknown = wanted - {peer.key for peer in peers}
        if unknown:
            parser.error(f"unknown peers {sorted(unknown)}: {[peer.key for peer in peers]}")
        peers = [peer for peer in peers if peer.key in wanted]
    queries = query_set()

    started = time.perf_counter()
    records = list(generate_records(arguments.records, arguments.seed))
    print(f"{len(records):,} records generated in {time.perf_counter() - started:.1f} s")

    results, notes = run_peers(
        [(peer, records) for peer in peers], queries, arguments.repeat, arguments.budget
    )
    print_table(results, notes)


def run_peers(
    loads: list[tuple[Any, list[Record]]],
    queries: dict[str, list[Any]],
    repeat: int,
    budget: float,
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, dict[str, str]]]:
    """Load, start, measure and stop each peer with its records, one after another."""
    results: dict[str, dict[str, dict[str, Any]]] = {}
    notes: dict[str, dict[str, str]] = {}
    for peer, records in loads:
        try:
            started = time.perf_counter()
            peer.load(records)
            elapsed = time.perf_counter() - started
            print(f"{peer.name}: {len(records):,} records loaded in {elapsed:.1f} s", flush=True)
            peer.start()
            results[peer.name] = measure(peer, queries, repeat, budget)
            notes[peer.name] = peer.notes
        except PeerSkipped as reason:
            print(f"{peer.name}: skipped, {reason}", flush=True)
        finally:
            peer.stop()
    return results, notes


if __name__ == "__main__":
    main()
