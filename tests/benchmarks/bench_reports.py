"""Reports and exports at commune scale: the commune report for 5,000 and 50,000 households,
and the XLSX export of 10,000 and 100,000 submissions with its peak memory.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_reports.py [summary] [xlsx]

Targets: the commune report (issue 21) in at most 1 s at 5,000 households and 3 s at 50,000,
reading the indicator sums the database keeps rather than every round; the XLSX export (issue
11) with flat memory: peak RSS at 100,000 submissions within 1.2x of that at 10,000.

The report is measured three ways, each in a fresh process on a copy of the demo: the first
report after the rounds were made (it counts every round once and keeps the sums), the next
one (sums up to date: the everyday case), and one after 1% of the households' latest rounds
were saved again (only those are counted again).

The demo communes are made once and kept in the temporary folder (fieldapp-bench/). The
export databases hold the household survey rounds of a 5,000-household demo copied (with new
ids) until they hold the number of submissions asked: the export reads only the submissions
table, so a copy is as good as a survey and takes seconds instead of an hour. Each measurement
runs in a fresh Python process, so "peak RSS" is that run's own maximum resident set
(VmHWM on Linux).
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "fieldapp-bench"
ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 28)


def demo_db(households: int) -> Path:
    """A cached demo commune of ``households`` households (surveyed through the forms)."""
    from fieldapp.services.demo import create_demo

    path = CACHE / f"reports-demo-{households}-v3.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        create_demo(partial, households=households, seed=7)
        partial.rename(path)
        print(f"  (made {path.name} in {time.perf_counter() - started:.0f} s)", flush=True)
    return path


def export_db(submissions: int) -> Path:
    """A database with ``submissions`` household survey submissions (see the docstring)."""
    path = CACHE / f"reports-export-{submissions}-v1.db"
    if path.exists():
        return path
    source = demo_db(5_000)
    partial = path.with_suffix(".partial.db")
    partial.unlink(missing_ok=True)
    partial.write_bytes(source.read_bytes())
    conn = sqlite3.connect(str(partial))
    try:
        conn.execute("delete from submissions where form_id != 'household_survey'")
        rows = conn.execute("select * from submissions").fetchall()
        names = [d[0] for d in conn.execute("select * from submissions limit 1").description]
        have = len(rows)
        if have > submissions:
            conn.execute("delete from submissions where rowid not in (select rowid from "
                         "submissions order by rowid limit ?)", [submissions])
        copy = 0
        while have < submissions:
            batch = []
            for row in rows[: submissions - have]:
                values = dict(zip(names, row))
                values["id"] = str(uuid.UUID(int=copy * 10_000_000 + len(batch), version=4))
                batch.append(values)
            conn.executemany(f"insert into submissions ({', '.join(names)}) values "
                             f"({', '.join('?' for _ in names)})",
                             [[v[n] for n in names] for v in batch])
            have += len(batch)
            copy += 1
        conn.commit()
        conn.execute("vacuum")
    finally:
        conn.close()
    partial.rename(path)
    return path


def peak_rss_mib() -> float:
    """This process's peak resident set. On Linux VmHWM, the high-water mark of this program's
    own memory: ru_maxrss would also count the parent's memory at the moment it started this
    process (the kernel carries it over through vfork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(kind: str, path: Path) -> dict:
    """One measurement in this process."""
    from fieldapp.i18n import catalog
    from fieldapp.storage.store import Store

    catalog.set_language("vi")
    store = Store.open(path)
    suffix = {"summary": "summary.pdf", "warm": "summary.pdf", "docx": "summary.docx",
              "xlsx": "export.xlsx"}[kind]
    out = Path(tempfile.mkdtemp()) / suffix
    if kind == "warm":  # the app's case: a report made before in this process
        from fieldapp.services.reports import commune_summary

        commune_summary(store, out, today=TODAY)
    started = time.perf_counter()
    cpu = time.process_time()
    if kind in ("summary", "docx", "warm"):
        from fieldapp.services.reports import commune_summary

        commune_summary(store, out, today=TODAY)
    else:
        from fieldapp.services.exports import export_xlsx

        result = export_xlsx(store, out, today=TODAY)
    seconds = time.perf_counter() - started
    figures = {"seconds": seconds, "cpu": time.process_time() - cpu,
               "peak_rss_mib": peak_rss_mib(), "bytes": out.stat().st_size}
    if kind in ("summary", "docx", "warm"):
        figures["households"] = store.counts()["households"]
    else:
        figures["submissions"] = result.rows
    store.close()
    return figures


def measure(kind: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--one", kind, str(path)], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.splitlines()[-1])


def touch_rounds(path: Path, share: float) -> int:
    """Save again the latest round of ``share`` of the households (as an edit would): the
    database marks them for counting again."""
    conn = sqlite3.connect(str(path))
    try:
        ids = [r[0] for r in conn.execute(
            "select last_final_id from household_rounds where last_final_id is not null")]
        chosen = ids[:: max(1, int(1 / share))]
        conn.executemany("update submissions set answers = answers where id = ?",
                         [(i,) for i in chosen])
        conn.commit()
        return len(chosen)
    finally:
        conn.close()


def summary() -> None:
    print("Commune report (gather + lay out + write), fresh process each:")
    steady = []
    for households in (5_000, 50_000):
        source = demo_db(households)
        copy = CACHE / f"reports-copy-{households}.db"
        copy.write_bytes(source.read_bytes())
        first = measure("summary", copy)
        again = measure("summary", copy)
        docx = measure("docx", copy)
        warm = measure("warm", copy)
        touched = touch_rounds(copy, 0.01)
        after = measure("summary", copy)
        steady.append(again)
        print(f"  {again['households']:>7,} households: first report {first['seconds']:6.2f} s "
              f"(counts every round once); then {again['seconds']:5.2f} s, CPU "
              f"{again['cpu']:.2f} s (PDF {again['bytes'] / 1024:.0f} KB, peak RSS "
              f"{again['peak_rss_mib']:.0f} MiB); DOCX {docx['seconds']:5.2f} s, CPU "
              f"{docx['cpu']:.2f} s; in the app (forms loaded before) {warm['seconds']:5.2f} s, "
              f"CPU {warm['cpu']:.2f} s; after {touched:,} rounds saved again "
              f"{after['seconds']:5.2f} s, CPU {after['cpu']:.2f} s", flush=True)
        copy.unlink()
    small, large = steady
    print(f"  targets: 5,000 households <= 1 s -> {small['seconds']:.2f} s (CPU "
          f"{small['cpu']:.2f} s); 50,000 <= 3 s -> {large['seconds']:.2f} s (CPU "
          f"{large['cpu']:.2f} s). Wall times include waiting for a busy CPU; CPU is this "
          f"process's own work.")


def xlsx() -> None:
    print("XLSX export (household survey rounds and their rosters), fresh process each:")
    results = []
    for submissions in (10_000, 100_000):
        r = measure("xlsx", export_db(submissions))
        results.append(r)
        print(f"  {r['submissions']:>7,} submissions: {r['seconds']:6.1f} s, peak RSS "
              f"{r['peak_rss_mib']:.0f} MiB, file {r['bytes'] / 2**20:.1f} MiB", flush=True)
    ratio = results[1]["peak_rss_mib"] / results[0]["peak_rss_mib"]
    print(f"  target: peak RSS at 100,000 within 1.2x of 10,000 -> {ratio:.2f}x")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2], Path(sys.argv[3]))))
        sys.exit(0)
    wanted = sys.argv[1:] or ["summary", "xlsx"]
    if "summary" in wanted:
        summary()
    if "xlsx" in wanted:
        xlsx()
