"""Sync on the command line: setup-file, demo --join, export, import (exit codes), dump."""

from __future__ import annotations

import json

import pytest

from fieldapp.cli import main


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "en")


@pytest.fixture
def commune(tmp_path):
    path = tmp_path / "commune.db"
    assert main(["demo", "--db", str(path), "--households", "30", "--seed", "3"]) == 0
    return path


def _a_member(path) -> str:
    from fieldapp.storage.store import Store

    store = Store.open(path)
    try:
        return next(u["id"] for u in store.users.list() if u["role"] == "member")
    finally:
        store.close()


def test_member_demo_export_import_and_return(tmp_path, commune, capsys):
    setup = tmp_path / "m1.setup"
    assert main(["setup-file", "--db", str(commune), "--out", str(setup),
                 "--name", "Máy 1", "--member", _a_member(commune)]) == 0
    member = tmp_path / "m1.db"
    assert main(["demo", "--db", str(member), "--join", str(setup), "--households", "4",
                 "--seed", "2"]) == 0
    capsys.readouterr()
    assert main(["dump", "--db", str(member)]) == 0
    own = {json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()
           if '"table": "submissions"' in line}
    assert len(own) == 4
    assert main(["export", "--db", str(member), "--out", str(tmp_path)]) == 0
    [package] = tmp_path.glob("*.fieldsync")
    capsys.readouterr()
    assert main(["import", "--db", str(commune), "--dry-run", str(package)]) == 0
    assert "(dry run)" in capsys.readouterr().out
    assert main(["import", "--db", str(commune), str(package)]) == 0
    assert "refused" not in capsys.readouterr().out
    assert main(["import", "--db", str(commune), str(package)]) == 0
    assert "already imported" in capsys.readouterr().out
    back = tmp_path / "back.fieldsync"
    assert main(["export", "--db", str(commune), "--out", str(back), "--to", "Máy 1"]) == 0
    assert main(["import", "--db", str(member), str(back)]) == 0
    capsys.readouterr()
    # Every household the member surveyed is at the commune, the same record for record.
    assert main(["dump", "--db", str(commune)]) == 0
    commune_lines = set(capsys.readouterr().out.splitlines())
    assert main(["dump", "--db", str(member)]) == 0
    member_lines = set(capsys.readouterr().out.splitlines())
    # (The commune's own surveys, sessions and classes came back to the member too.)
    surveyed = [line for line in member_lines if '"table": "submissions"' in line
                and json.loads(line)["id"] in own]
    assert len(surveyed) == 4 and all(line in commune_lines for line in surveyed)


def test_refused_files_exit_1_one_line_each(tmp_path, commune, capsys):
    bad = tmp_path / "bad.fieldsync"
    bad.write_bytes(b"nope")
    assert main(["import", "--db", str(commune), str(bad), str(tmp_path / "missing.fieldsync")]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and all("refused" in line for line in out)


def test_usage_errors_exit_2(tmp_path, commune, capsys):
    assert main(["import", "--db", str(commune)]) == 2
    assert main(["export", "--db", str(commune), "--out", str(tmp_path / "x.fieldsync")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert main(["dump", "--db", str(tmp_path / "none.db")]) == 2


def test_a_commune_joins_its_province_on_the_command_line(tmp_path, commune, capsys):
    from fieldapp.services.setup import SetupRequest, run_setup
    from fieldapp.storage.store import Store

    office = tmp_path / "province.db"
    store = Store.open(office)
    run_setup(store, SetupRequest("Tỉnh Lạng Sơn", "Lạng Sơn", ["(văn phòng)"], "Lương Văn Tỉnh",
                                  "commune_staff", "135790"))
    store.close()
    request, hub = tmp_path / "req.json", tmp_path / "hub.json"
    assert main(["join-request", "--db", str(commune), "--out", str(request)]) == 0
    assert main(["setup-file", "--db", str(office), "--request", str(request),
                 "--out", str(hub)]) == 0
    assert main(["join", "--db", str(commune), "--hub-file", str(hub)]) == 0
    package = tmp_path / "to-province.fieldsync"
    assert main(["export", "--db", str(commune), "--out", str(package), "--to", "province"]) == 0
    assert main(["import", "--db", str(office), str(package)]) == 0
    capsys.readouterr()
    assert main(["dump", "--db", str(office)]) == 0
    assert capsys.readouterr().out.count('"table": "households"') == 30
