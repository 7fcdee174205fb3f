"""Demo commune generator: wall time, peak memory and file size for 5,000 and 50,000 households.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_demo.py [HOUSEHOLDS ...]
    .venv/bin/pytest tests/benchmarks/bench_demo.py -s

Each size runs in a fresh Python process, so "peak RSS" is that run's own maximum resident set
(Python objects plus SQLite's page cache). tracemalloc is not used: it slows generation several
times over and would distort the timing.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

SIZES = (5_000, 50_000)


def measure_here(households: int, folder: Path) -> dict:
    """Create one demo in this process and return its figures."""
    from fieldapp.services.demo import create_demo

    path = folder / f"demo-{households}.db"
    start = time.perf_counter()
    summary = create_demo(path, households=households, seed=1)
    seconds = time.perf_counter() - start
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"households": households, "persons": summary["persons"], "seconds": seconds,
            "peak_rss_mib": rss_mib, "file_mib": path.stat().st_size / 2**20}


def measure(households: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, __file__, "--one", str(households), folder],
                             check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def report(sizes=SIZES) -> list[dict]:
    results = []
    for households in sizes:
        r = measure(households)
        results.append(r)
        print(f"{r['households']:>7,} households, {r['persons']:>7,} persons: "
              f"{r['seconds']:6.1f} s ({r['households'] / r['seconds']:,.0f} households/s), "
              f"peak RSS {r['peak_rss_mib']:5.0f} MiB, file {r['file_mib']:6.1f} MiB", flush=True)
    return results


@pytest.mark.benchmark
def test_demo_generation_figures():
    results = report()
    assert [r["households"] for r in results] == list(SIZES)
    assert all(r["persons"] >= r["households"] for r in results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure_here(int(sys.argv[2]), Path(sys.argv[3]))))
    else:
        report(tuple(int(a) for a in sys.argv[1:]) or SIZES)
