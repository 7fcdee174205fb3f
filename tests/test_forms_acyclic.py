"""The forms engine's modules import each other without cycles (import-linter contract
"forms-engine-acyclic" in pyproject.toml): a cycle between its mixins fails the check."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "the modules of fieldapp.core.forms (and of its subpackages) import each other"


def _lint(package_parent: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
                          cwd=package_parent, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(package_parent)})


def test_a_cycle_between_the_form_mixins_breaks_the_contract(tmp_path):
    copy = tmp_path / "fieldapp"
    shutil.copytree(ROOT / "fieldapp", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "core" / "forms" / "evaluation.py").open("a", encoding="utf-8") as f:
        # The cycle this contract was written against: a typing-only import counts too.
        f.write("\nfrom typing import TYPE_CHECKING  # noqa: E402\n"
                "if TYPE_CHECKING:\n"
                "    from fieldapp.core.forms.instance import FormInstance  # noqa: F401\n")
    done = _lint(tmp_path)
    assert done.returncode != 0, done.stdout[-4000:]
    assert "without cycles BROKEN" in done.stdout.replace("\n", " ")
    assert ".evaluation -> .instance" in done.stdout
    assert CONTRACT in done.stdout.replace("\n", " ").replace("  ", " ")
