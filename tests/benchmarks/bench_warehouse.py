"""The province warehouse on PostgreSQL (issue 24): publish against a plain COPY of the same
rows, a publish with nothing new, the indicator views for every commune.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_warehouse.py [--communes 65] [--households 5000]
        [--cache DIR]
    .venv/bin/pytest tests/benchmarks/bench_warehouse.py -s      (a small run)

The province laptop is made as a province office makes it: demo communes (``create_demo``)
joined to the office, each sending its package, imported with the merge rules
(tests/province_world.py). The warehouse is a throwaway cluster of the distribution's
PostgreSQL (fieldapp.warehouse.cluster, fsync off as in the tests).

**The yardstick, defined once.** After the publish, every row it wrote (records of every kind,
history groups, the record directory, the indicators' cases) is read back with
``COPY ... TO STDOUT`` and written with ``COPY ... FROM STDIN`` into tables of the same columns
with no index, no key and no partition, in one transaction: what PostgreSQL alone needs to
take the same rows. Targets: publish <= 3x that COPY; a publish with nothing new <= 0.05x the
publish; the indicator views of every commune for one period (what ``warehouse report``
reads) <= 5 s.

Building 65 communes of 5,000 households takes hours on a 2-core machine (a commune of 1,000
households takes about 17 s to make and 7 s to import); ``--cache DIR`` keeps the province
database for later runs. Smaller runs print the same ratios and per-household figures, from
which the full size is extrapolated (see docs/scale.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def _demo(args: tuple[str, int, int]) -> str:
    from fieldapp.services.demo import create_demo

    path, households, seed = args
    create_demo(Path(path), households=households, seed=seed)
    return path


def build_province(folder: Path, communes: int, households: int) -> Path:
    """The province database of ``communes`` demo communes, each sent once; its path."""
    from fieldapp.storage.store import Store
    from province_world import join, make_office, send

    done = folder / f"province-{communes}x{households}.db"
    if done.exists():
        return done
    work = folder / f"build-{communes}x{households}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    jobs = [(str(work / f"demo{n}.db"), households, 1000 + n) for n in range(communes)]
    with ProcessPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        demos = list(pool.map(_demo, jobs))
    made = time.perf_counter() - started
    office = make_office(work)
    for n, demo in enumerate(demos):
        commune = Store.open(demo)
        join(office, commune, work, n)
        send(commune, office, work, f"first{n}")
        commune.close()
        for leftover in (work / f"first{n}.fieldsync", work / f"req{n}.json",
                         work / f"hub{n}.json"):
            leftover.unlink(missing_ok=True)
    office.close()
    print(f"built the province database: {communes} communes made in {made:.0f} s, "
          f"imported in {time.perf_counter() - started - made:.0f} s", flush=True)
    shutil.move(str(work / "province.db"), done)
    shutil.rmtree(work, ignore_errors=True)
    return done


def _yardstick(conn) -> tuple[float, int, int]:
    """(seconds, rows, bytes) of COPY of every row the publish wrote into plain tables."""
    tables = [r[0] for r in conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'fieldapp' and c.relkind in ('r', 'p') and not c.relispartition "
        "and c.relname not in ('meta', 'sources', 'partitions')")]
    data: dict[str, bytes] = {}
    for table in tables:
        buffer = bytearray()
        with conn.cursor().copy(f'copy (select * from fieldapp."{table}") to stdout') as copy:
            for chunk in copy:
                buffer += chunk
        data[table] = bytes(buffer)
    conn.commit()
    conn.execute("create schema plain")
    for table in tables:
        conn.execute(f'create table plain."{table}" (like fieldapp."{table}")')
    conn.commit()
    started = time.perf_counter()
    with conn.transaction():
        for table, payload in data.items():
            with conn.cursor().copy(f'copy plain."{table}" from stdin') as copy:
                copy.write(payload)
    seconds = time.perf_counter() - started
    rows = sum(payload.count(b"\n") for payload in data.values())
    return seconds, rows, sum(len(p) for p in data.values())


def server_cpu(data: Path) -> float:
    """CPU seconds the cluster's processes used so far: the postmaster, its live children and
    the children it reaped (a closed connection's backend), from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(pid: str, reaped: bool) -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile: its time is in the postmaster's reaped children
            return 0
        return sum(int(f) for f in fields[11:15 if reaped else 13])

    postmaster = (data / "postmaster.pid").read_text().split()[0]
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return (times(postmaster, True) + sum(times(pid, True) for pid in children)) / tick


def run(communes: int, households: int, cache: Path | None) -> dict[str, float]:
    from fieldapp.core.periods import Period
    from fieldapp.services import warehouse as service
    from fieldapp.services.indicators import load_indicators
    from fieldapp.storage.store import Store
    from fieldapp.warehouse import figures
    from fieldapp.warehouse.cluster import LocalCluster
    from fieldapp.warehouse.connect import connect
    from fieldapp.warehouse.schema import q

    folder = cache or Path(tempfile.mkdtemp(prefix="bench-wh-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = build_province(folder, communes, households)
    province = folder / "publishing.db"
    shutil.copy(source, province)
    pg_folder = Path(tempfile.mkdtemp(prefix="fieldapp-pg-", dir="/tmp"))
    cluster = LocalCluster(pg_folder, fast=True)
    try:
        dsn = cluster.ensure().create_database("bench")
        service.init(dsn)
        store = Store.open(province)
        warehouse = service.WarehouseService(store)
        changes = store.log.last_seq()
        registry = store.scalar("select count(*) from households")
        started, cpu, server = time.perf_counter(), time.process_time(), server_cpu(cluster.data)
        done = warehouse.publish(dsn)
        publish = time.perf_counter() - started
        publish_cpu = time.process_time() - cpu
        publish_server = server_cpu(cluster.data) - server
        started = time.perf_counter()
        again = warehouse.publish(dsn)
        republish = time.perf_counter() - started
        assert again.batches == 0
        started = time.perf_counter()
        result = warehouse.check(dsn)
        check = time.perf_counter() - started
        assert not result.differences, result.differences
        store.close()
        indicators = load_indicators()
        with connect(dsn) as conn:
            period = Period.parse(conn.execute(
                f"select max(period) from {q('surveyed_by_commune')} where period like '____'"
            ).fetchone()[0])
            started = time.perf_counter()
            found = figures.communes(conn, "bench", indicators, period)
            views = time.perf_counter() - started
            assert len(found) == communes, len(found)
            size = conn.execute("select pg_database_size(current_database())").fetchone()[0]
            copy, rows, payload = _yardstick(conn)
    finally:
        cluster.stop()
        shutil.rmtree(pg_folder, ignore_errors=True)
        if cache is None:
            shutil.rmtree(folder, ignore_errors=True)
    figures_ = {
        "communes": communes, "households": registry, "changes": changes,
        "publish_s": publish, "publish_cpu_s": publish_cpu,
        "publish_server_cpu_s": publish_server, "batches": done.batches, "copy_s": copy, "copy_rows": rows,
        "copy_mb": payload / 1e6, "ratio": publish / copy, "republish_s": republish,
        "republish_ratio": republish / publish, "views_s": views, "check_s": check,
        "warehouse_mb": size / 1e6,
    }
    print(f"{communes} communes, {registry:,} households, {changes:,} changes in the "
          f"province database")
    print(f"publish (fresh warehouse): {publish:.1f} s in {done.batches} transactions "
          f"({publish / registry * 1000:.2f} ms per household); CPU {publish_cpu:.1f} s "
          f"in Python, {publish_server:.1f} s in PostgreSQL")
    print(f"plain COPY of the same {rows:,} rows ({payload / 1e6:.0f} MB): {copy:.2f} s -> "
          f"publish is {publish / copy:.1f}x (goal <= 3x)")
    print(f"publish with nothing new: {republish:.2f} s = {republish / publish:.3f}x the "
          f"publish (goal <= 0.05x)")
    print(f"indicator views, every commune, period {period.key}: {views:.2f} s (goal <= 5 s)")
    print(f"warehouse check: {check:.1f} s; warehouse size {size / 1e6:.0f} MB")
    return figures_


@pytest.mark.benchmark
def test_bench_warehouse():
    from fieldapp.warehouse.cluster import find_bin

    if find_bin() is None:
        pytest.skip("PostgreSQL is not installed")
    run(5, 200, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=65)
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()
    run(args.communes, args.households, args.cache)


if __name__ == "__main__":
    main()
