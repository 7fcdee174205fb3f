"""A data folder on a full disk (a tmpfs of a few hundred KB, mounted for the test; skipped
where mounting is not allowed): one message in the user's language, nothing stored changes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldapp.cli import main
from fieldapp.storage.db import DiskFull
from fieldapp.storage.store import Store


@pytest.fixture
def full_disk(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small disk needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("mount is not allowed here")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_database_on_a_full_disk(full_disk, monkeypatch, capsys):
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    fill(full_disk)
    with pytest.raises(DiskFull):
        Store.open(full_disk / "new.db")
    assert not (full_disk / "new.db").exists()
    assert main(["demo", "--db", str(full_disk / "demo.db"), "--households", "2"]) == 2
    assert "đã đầy" in capsys.readouterr().err


def test_an_existing_database_on_a_full_disk_is_left_as_it_was(full_disk, tmp_path, capsys,
                                                                monkeypatch):
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    made = tmp_path / "made.db"
    Store.open(made).close()  # no device identity written yet: opening it writes one
    path = full_disk / "commune.db"
    shutil.copyfile(made, path)
    fill(full_disk)
    before = digest(path)
    assert main(["export-xlsx", "--db", str(path), "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "đã đầy" in err[0]
    assert digest(path) == before
