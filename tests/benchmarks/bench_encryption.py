"""The cost of encryption at rest (SQLCipher) against the plain database, in the same run.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_encryption.py [--households 50000]

For each of plain and encrypted, in a fresh process each: demo generation of the commune
(wall time, file size), then the household search per keystroke over it (every prefix of
bench_search's names, with and without the village filter: median and 95th percentile),
opening the database, SQLite's quick check at start-up and a verified backup. Also the PIN's
key derivation (Argon2id at the app's cost), which a sign-in pays once.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))


def one(households: int, encrypted: bool, folder: Path) -> dict:
    from bench_search import NAMES, p95, prefixes

    from fieldapp.services.demo import create_demo
    from fieldapp.storage.keyring import new_database_key
    from fieldapp.storage.store import Store

    key = new_database_key() if encrypted else None
    path = folder / f"demo-{'enc' if encrypted else 'plain'}.db"
    started = time.perf_counter()
    summary = create_demo(path, households=households, seed=7, key=key)
    generate = time.perf_counter() - started
    started = time.perf_counter()
    store = Store.open(path, key=key)
    opened = time.perf_counter() - started
    village = store.villages.list()[0]["id"]
    timings = []
    for village_id in (None, village):
        for name in NAMES:
            for query in prefixes(name):
                t = time.perf_counter()
                store.households.search(query, village_id=village_id)
                timings.append((time.perf_counter() - t) * 1000)
    started = time.perf_counter()
    problems = store.quick_check()
    quick = time.perf_counter() - started
    started = time.perf_counter()
    store.backup("manual")
    backup = time.perf_counter() - started
    store.close()
    return {"encrypted": encrypted, "households": summary["households"],
            "persons": summary["persons"], "generate_s": generate, "open_s": opened,
            "search_median_ms": statistics.median(timings), "search_p95_ms": p95(timings),
            "quick_check_s": quick, "quick_check_ok": not problems, "backup_s": backup,
            "file_mib": path.stat().st_size / 2**20,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def pin_seconds() -> float:
    import os

    import nacl.pwhash

    from fieldapp.storage.keyring import KDF

    best = []
    for _ in range(3):
        started = time.perf_counter()
        nacl.pwhash.argon2id.kdf(32, b"246813", os.urandom(16), opslimit=KDF.ops,
                                 memlimit=KDF.mem)
        best.append(time.perf_counter() - started)
    return min(best)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--one", nargs=3)
    args = parser.parse_args()
    if args.one:
        households, encrypted, folder = args.one
        print(json.dumps(one(int(households), encrypted == "1", Path(folder))))
        return
    results = {}
    for encrypted in (False, True, False, True):  # alternating, best of two each
        with tempfile.TemporaryDirectory() as folder:
            out = subprocess.run([sys.executable, __file__, "--one", str(args.households),
                                  "1" if encrypted else "0", folder], check=True,
                                 capture_output=True, text=True, cwd=ROOT).stdout
        r = json.loads(out.splitlines()[-1])
        best = results.get(encrypted)
        if best is None or r["generate_s"] < best["generate_s"]:
            results[encrypted] = r
    plain, enc = results[False], results[True]
    print(f"{plain['households']:,} households, {plain['persons']:,} persons "
          f"(best of two runs each, alternating)")
    for label, key in (("demo generation", "generate_s"), ("open", "open_s"),
                       ("search per keystroke, median", "search_median_ms"),
                       ("search per keystroke, p95", "search_p95_ms"),
                       ("quick check at start-up", "quick_check_s"),
                       ("verified backup", "backup_s"), ("file size (MiB)", "file_mib"),
                       ("peak RSS (MiB)", "peak_rss_mib")):
        unit = "ms" if key.endswith("_ms") else ("" if "mib" in key else "s")
        print(f"  {label:32} plain {plain[key]:9.2f} {unit:2}  encrypted {enc[key]:9.2f} "
              f"{unit:2}  x{enc[key] / plain[key]:.2f}")
    print(f"  PIN key derivation (Argon2id, sign-in): {pin_seconds():.2f} s on this machine")


if __name__ == "__main__":
    main()
