"""The built app (build.spec) against the same code in the venv: size and start-up, in one run.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_bundle.py [--bundle build/dist/fieldapp] [--build]
                                                     [--repeat 15]

``--build`` builds the bundle first (into build/) and reports the build time. Start-up is timed
from the parent's clock around a fresh process, runs alternating bundle / venv so both see the
same machine state; the report gives medians and the median of the per-pair ratios (target:
the bundle at most 1.5x the venv). Two commands:

- ``--version``: the interpreter, the command line's imports, the catalogs;
- ``check --db DEMO``: the same plus the storage layer, an SQLite file opened and checked.

The venv's bytecode is compiled first, as an installed app's is.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def build(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "pyinstaller"), "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(out / "dist"), "--workpath", str(out / "work"),
                    str(ROOT / "build.spec")], check=True, cwd=ROOT)
    return time.perf_counter() - started


def size(folder: Path) -> tuple[float, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 2**20, len(files)


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "build" / "dist" / "fieldapp")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    if args.build:
        seconds = build(args.bundle.parent.parent)
        print(f"build: {seconds:.0f} s")
    megabytes, files = size(args.bundle)
    print(f"bundle: {megabytes:.0f} MiB, {files} files ({args.bundle})")
    compileall.compile_dir(str(ROOT / "fieldapp"), quiet=1)
    cli = args.bundle / ("fieldapp-cli.exe" if os.name == "nt" else "fieldapp-cli")
    venv = [sys.executable, "-m", "fieldapp"]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FIELDAPP_HOME=tmp, QT_QPA_PLATFORM="offscreen")
        demo = Path(tmp) / "demo.db"
        subprocess.run(venv + ["demo", "--db", str(demo), "--households", "50"], check=True,
                       env=env, stdout=subprocess.DEVNULL)
        for name, tail in (("--version", ["--version"]), ("check", ["check", "--db", str(demo)])):
            bundle_times, venv_times, ratios = [], [], []
            timed([str(cli), *tail], env)  # warm the file cache for both
            timed(venv + tail, env)
            for _ in range(args.repeat):
                b = timed([str(cli), *tail], env)
                v = timed(venv + tail, env)
                bundle_times.append(b)
                venv_times.append(v)
                ratios.append(b / v)
            print(f"{name}: bundle {statistics.median(bundle_times) * 1000:.0f} ms, "
                  f"venv {statistics.median(venv_times) * 1000:.0f} ms, "
                  f"ratio {statistics.median(ratios):.2f} (target <= 1.5)")
    return 0


def test_bundle_benchmark():
    """pytest entry: skipped unless a bundle was built."""
    import pytest

    if not (ROOT / "build" / "dist" / "fieldapp").is_dir():
        pytest.skip("no bundle in build/dist/fieldapp (pyinstaller build.spec)")
    assert main(["--repeat", "5"]) == 0


if __name__ == "__main__":
    sys.exit(main())
