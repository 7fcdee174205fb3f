"""Demo commune generator: wall time, peak memory and file size for 5,000 and 50,000 households.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_demo.py [HOUSEHOLDS ...] [--base COMMIT]
    .venv/bin/pytest tests/benchmarks/bench_demo.py -s

``--base COMMIT`` also runs the same sizes with the code of COMMIT (extracted with git archive,
run by the same Python), alternating with this checkout, and prints the ratios: how much the
change log costs in time and file size against the code before it (e.g. ``--base 90bc60c``).

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


ROOT = Path(__file__).resolve().parents[2]


def measure(households: int, code: Path = ROOT) -> dict:
    """One demo in a fresh process, importing fieldapp from ``code``."""
    import os

    env = dict(os.environ, PYTHONPATH=str(code))
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, __file__, "--one", str(households), folder],
                             check=True, capture_output=True, text=True, env=env,
                             cwd=code).stdout
    return json.loads(out.splitlines()[-1])


def _line(label: str, r: dict) -> str:
    return (f"{label}{r['households']:>7,} households, {r['persons']:>7,} persons: "
            f"{r['seconds']:6.1f} s ({r['households'] / r['seconds']:,.0f} households/s), "
            f"peak RSS {r['peak_rss_mib']:5.0f} MiB, file {r['file_mib']:6.1f} MiB")


def report(sizes=SIZES) -> list[dict]:
    results = []
    for households in sizes:
        r = measure(households)
        results.append(r)
        print(_line("", r), flush=True)
    return results


def compare(sizes, base: str, rounds: int = 2) -> None:
    """This checkout against ``base`` (a commit), alternating, best of ``rounds`` each."""
    with tempfile.TemporaryDirectory() as tmp:
        code = Path(tmp) / "base"
        code.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", base], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "fieldapp.i18n.compile"], cwd=code, check=True,
                       capture_output=True, env={"PYTHONPATH": str(code)})
        for households in sizes:
            now, before = [], []
            for _ in range(rounds):
                before.append(measure(households, code))
                now.append(measure(households))
            b = min(before, key=lambda r: r["seconds"])
            n = min(now, key=lambda r: r["seconds"])
            print(_line(f"base {base[:10]}: ", b))
            print(_line("this checkout:   ", n))
            print(f"  ratio: time {n['seconds'] / b['seconds']:.2f}x, "
                  f"file {n['file_mib'] / b['file_mib']:.2f}x, "
                  f"peak RSS {n['peak_rss_mib'] / b['peak_rss_mib']:.2f}x", flush=True)


@pytest.mark.benchmark
def test_demo_generation_figures():
    results = report()
    assert [r["households"] for r in results] == list(SIZES)
    assert all(r["persons"] >= r["households"] for r in results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure_here(int(sys.argv[2]), Path(sys.argv[3]))))
    else:
        args = sys.argv[1:]
        base = None
        if "--base" in args:
            i = args.index("--base")
            base = args[i + 1]
            del args[i:i + 2]
        sizes = tuple(int(a) for a in args) or SIZES
        if base:
            compare(sizes, base)
        else:
            report(sizes)
