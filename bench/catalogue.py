"""Catalogue search latency of the platform at scale, with the peers that install here beside it.

    .venv/bin/python bench/catalogue.py                          # 1,000,000 records, all peers
    .venv/bin/python bench/catalogue.py --records 100000 --peers pycsw
    .venv/bin/python bench/catalogue.py --peers none             # the platform alone
    .venv/bin/python bench/catalogue.py --peers none --reuse     # time it again, no reload

The records of `bench/catalogue_data.py` are loaded (COPY) into a database of their own
(`marketplace_bench`, created and migrated here), the platform is started on it over real
HTTP (uvicorn, 2 processes), and each of the four query kinds of `query_set()` is asked
`--repeat` times, cycling through 50 different queries: a bounding box, a free-text word,
box + word + type, and a CQL2 filter on platform, cloud cover and time. The peers of
`bench/catalogue_peers.py` (pycsw 2.6.2, pygeoapi 0.24 Records on TinyDB and PostgreSQL)
are loaded with the same records (`--peer-records` of them, default all) and asked the same
queries. Printed: the latency table, then the ratio of each peer's p50 to ours.

`--reuse` keeps the platform's database when it already holds `--records` records (the
load takes minutes): it is only migrated (new indexes are built) and analysed again.
"""

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalogue_data import generate_records, query_set
from catalogue_peers import (
    KINDS,
    Server,
    available_peers,
    free_port,
    percentile,
    print_table,
    run_peers,
)

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_DATABASE", "marketplace_bench")
COPY_COLUMNS = (
    "id",
    "type",
    "title",
    "description",
    "keywords",
    "keywords_codespace",
    "language",
    "external_ids",
    "updated",
    "record_created",
    "record_updated",
    "publisher",
    "themes",
    "formats",
    "contact_point",
    "license",
    "rights",
    "geometry",
    "time_start",
    "time_end",
    "platform",
    "instrument",
    "cloud_cover",
    "properties",
    "links",
    "visibility",
)


def _dsn(database: str) -> str:
    return ADMIN_DSN.rsplit("/", 1)[0] + "/" + database


def _array(values: Iterable[str]) -> str:
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def _row(record: dict[str, Any], now: str) -> tuple[Any, ...]:
    minx, miny, maxx, maxy = record["bbox"]
    ring = f"{minx} {miny},{maxx} {miny},{maxx} {maxy},{minx} {maxy},{minx} {miny}"
    polygon = f"SRID=4326;POLYGON(({ring}))"
    return (
        record["id"],
        record["type"],
        record["title"],
        record["description"],
        _array(record["keywords"]),
        "",
        record["language"],
        _array([record["externalId"]]),
        record["updated"],
        now,
        record["updated"],
        "",
        "[]",
        _array([record["format"]]),
        "",
        record["license"],
        "",
        polygon,
        record["start"],
        record["end"],
        record["platform"],
        "",
        record["cloudCover"],
        "{}",
        "[]",
        "public",
    )


class TepPeer:
    """The platform itself, on a database of the bench's own."""

    key = "tep"
    name = "TEP Marketplace"
    notes = {
        "bbox": "bbox=minx,miny,maxx,maxy",
        "q": "q=word (PostgreSQL full-text, ranked)",
        "bbox+q+type": "bbox=…&q=word&type=…",
        "filter": "filter=platform = '…' AND cloudCover < N AND T_AFTER(datetime, TIMESTAMP('…'))",
    }

    def __init__(self, workdir: Path, *, reuse: bool = False) -> None:
        self.workdir = workdir
        self.reuse = reuse
        self.server: Server | None = None
        self.url = ""

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": _dsn(DATABASE).replace("postgresql://", "postgis://"),
        }

    def _manage(self, *arguments: str) -> None:
        subprocess.run(  # noqa: S603 - the project's own manage.py
            [str(VENV / "python"), str(ROOT / "manage.py"), *arguments],
            env=self._environment(),
            check=True,
            capture_output=True,
        )

    def _loaded_records(self) -> int | None:
        """How many records the bench database holds; None when there is no such database."""
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
        if exists is None:
            return None
        with psycopg.connect(_dsn(DATABASE)) as connection:
            table = connection.execute("SELECT to_regclass('catalogue_record')").fetchone()
            if table is None or table[0] is None:
                return None
            row = connection.execute("SELECT count(*) FROM catalogue_record").fetchone()
        return int(row[0]) if row else None

    def load(self, records: Sequence[dict[str, Any]]) -> None:
        if self.reuse and self._loaded_records() == len(records):
            print(f"{self.name}: reusing the {len(records):,} records of {DATABASE}", flush=True)
            self._manage("migrate", "--noinput")
            with psycopg.connect(_dsn(DATABASE), autocommit=True) as connection:
                connection.execute("ANALYZE catalogue_record")
            return
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        self._manage("migrate", "--noinput")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        columns = ", ".join(COPY_COLUMNS)
        with psycopg.connect(_dsn(DATABASE)) as connection:
            connection.execute("TRUNCATE catalogue_record CASCADE")
            # COPY into a bare table, then write each row once with its search vector: an
            # UPDATE after the COPY would leave every row's first version behind as dead
            # space, half of a table no real catalogue has.
            connection.execute(
                "CREATE TEMPORARY TABLE record_load (LIKE catalogue_record INCLUDING DEFAULTS)"
            )
            with connection.cursor().copy(f"COPY record_load ({columns}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(_row(record, now))
            connection.execute(
                f"INSERT INTO catalogue_record ({columns}, search_vector) SELECT {columns},"  # noqa: S608
                " setweight(to_tsvector('english', coalesce(title, '')), 'A')"
                " || setweight(to_tsvector('english', array_to_string(keywords, ' ')), 'A')"
                " || setweight(to_tsvector('english', coalesce(description, '')), 'B')"
                " || setweight(to_tsvector('english', platform || ' ' || instrument), 'C')"
                " FROM record_load"
            )
        with psycopg.connect(_dsn(DATABASE), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE catalogue_record")

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/catalogue/collections/tep-catalogue/items"
        self.server = Server(
            [
                str(VENV / "uvicorn"),
                "marketplace.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "--lifespan",
                "off",
                "--no-access-log",
            ],
            {**self._environment(), "PYTHONPATH": str(ROOT)},
            self.workdir / "tep-web.log",
        )
        self.server.start(f"{self.url}?limit=1")

    def _params(self, kind: str, params: Any) -> dict[str, str]:
        if kind == "bbox":
            return {"bbox": ",".join(str(value) for value in params)}
        if kind == "q":
            return {"q": params}
        if kind == "bbox+q+type":
            bbox, word, record_type = params
            return {"bbox": ",".join(str(value) for value in bbox), "q": word, "type": record_type}
        platform, threshold, after = params
        return {
            "filter": f"platform = '{platform}' AND cloudCover < {threshold} "
            f"AND T_AFTER(datetime, TIMESTAMP('{after}'))"
        }

    def query(self, kind: str, params: Any) -> int:
        response = requests.get(
            self.url, params={**self._params(kind, params), "limit": "10"}, timeout=120
        )
        if response.status_code != 200:
            raise RuntimeError(f"{self.name} {kind}: {response.status_code} {response.text[:300]}")
        body = response.json()
        return int(body.get("numberMatched", 10_001))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def _ratios(results: dict[str, dict[str, dict[str, Any]]]) -> None:
    ours = results.get(TepPeer.name)
    if not ours:
        return
    print("\nPeer p50 / our p50 (higher: we are faster):")
    for name, rows in results.items():
        if name == TepPeer.name:
            continue
        cells = []
        for kind in KINDS:
            if kind in rows and rows[kind]["latencies"]:
                mine = percentile(ours[kind]["latencies"], 0.5)
                theirs = percentile(rows[kind]["latencies"], 0.5)
                cells.append(f"{kind} {theirs / mine:7.1f}x")
        print(f"  {name:26} " + "   ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--peer-records", type=int, default=0, help="default: --records")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per kind")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per peer and kind")
    parser.add_argument("--peers", default="", help="peer keys (pycsw, …), 'none', default all")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-catalogue")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the platform's database if it already holds --records records",
    )
    arguments = parser.parse_args()
    arguments.workdir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    records = list(generate_records(arguments.records, arguments.seed))
    print(
        f"{len(records):,} records generated in {time.perf_counter() - started:.1f} s", flush=True
    )
    peers: list[Any] = [TepPeer(arguments.workdir, reuse=arguments.reuse)]
    if arguments.peers != "none":
        others = available_peers(arguments.workdir)
        if arguments.peers:
            others = [peer for peer in others if peer.key in set(arguments.peers.split(","))]
        peers += others
    peer_records = records[: arguments.peer_records or None]
    loads = [(peer, records if peer is peers[0] else peer_records) for peer in peers]
    results, notes = run_peers(loads, query_set(), arguments.repeat, arguments.budget)
    print_table(results, notes)
    _ratios(results)


if __name__ == "__main__":
    main()
