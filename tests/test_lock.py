"""requirements/lock.txt pins, with hashes, a version inside pyproject.toml's range for every
dependency (the app's and its tests'): the build and CI install from it. After changing a
dependency in pyproject.toml or requirements/build.in, refresh it with the command at its top."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)")


def pinned() -> dict[str, str]:
    found = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = project["dependencies"] + project["optional-dependencies"]["test"]
    build = [line.split("#")[0].strip() for line in
             (ROOT / "requirements" / "build.in").read_text(encoding="utf-8").splitlines()]
    return [Requirement(text) for text in names + [b for b in build if b]]


def test_every_dependency_is_pinned_within_its_range():
    pins = pinned()
    problems = []
    for requirement in wanted():
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name}: not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} outside {requirement.specifier}")
    command = LOCK.read_text(encoding="utf-8").splitlines()[1].strip("# ")
    assert problems == [], f"refresh requirements/lock.txt: {command}"


def test_every_pin_has_a_hash_and_pyside_stays_below_6_12():
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert all("--hash=sha256:" in block for block in blocks if PIN.match(block))
    major, minor = (int(x) for x in pinned()["pyside6-essentials"].split(".")[:2])
    assert (major, minor) < (6, 12)
